"""Fixtures for OCR tests: the test corpus and Arabic pages rendered with Pillow and raqm."""

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont, features

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

CORPUS = Path(__file__).parent.parent / "data" / "corpus"
A4_INCHES = (8.27, 11.69)
MM_PER_INCH = 25.4
FONT_PACKAGES = "fonts-hosny-amiri, fonts-noto-core and fonts-dejavu-core"


def _font_file(family: str) -> Path:
    """Find an installed font file with fontconfig (Debian fonts-hosny-amiri, fonts-noto-core)."""
    output = subprocess.run(
        ["fc-match", "--format=%{file}", f"{family}:style=Regular"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    path = Path(output)
    if family.split()[0].lower() not in path.name.lower():
        pytest.skip(f"font {family} is not installed; install the Debian packages {FONT_PACKAGES}")
    return path


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def render_arabic_page() -> Callable[..., Image.Image]:
    """Return a function that draws right-aligned Arabic lines on a white A4 page."""
    if not features.check("raqm"):
        pytest.skip("Pillow was built without raqm, so it cannot shape Arabic")
    font_path = _font_file("Amiri")

    def render(lines: list[str], font_size: int = 14, dpi: int = 300) -> Image.Image:
        width, height = round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi)
        page = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(page)
        font = ImageFont.truetype(str(font_path), round(font_size * dpi / 72))
        line_pitch = round(font_size * dpi / 72 * 2)
        for number, line in enumerate(lines):
            position = (width - dpi, dpi + number * line_pitch)
            draw.text(position, line, font=font, fill=0, anchor="ra", direction="rtl",
                      language="ar")
        return page

    return render


@pytest.fixture(scope="session")
def render_placed_lines() -> Callable[..., Image.Image]:
    """Return a function that draws lines at given places on a white page of any paper size.

    Each placement is (text, right_mm, middle_mm): the line's right end, measured from the
    page's left edge, and its vertical middle, measured from the top edge, in millimetres.
    """
    if not features.check("raqm"):
        pytest.skip("Pillow was built without raqm, so it cannot shape Arabic")

    def render(
        placements: list[tuple[str, float, float]],
        paper_mm: tuple[float, float],
        family: str = "Amiri",
        font_size: float = 16,
        dpi: int = 300,
    ) -> Image.Image:
        width, height = (round(side / MM_PER_INCH * dpi) for side in paper_mm)
        page = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(page)
        font = ImageFont.truetype(str(_font_file(family)), round(font_size * dpi / 72))
        for text, right_mm, middle_mm in placements:
            position = (round(right_mm / MM_PER_INCH * dpi), round(middle_mm / MM_PER_INCH * dpi))
            draw.text(position, text, font=font, fill=0, anchor="rm", direction="rtl",
                      language="ar")
        return page

    return render

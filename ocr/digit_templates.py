"""Glyph templates for reading digits that Tesseract's Arabic model cannot read.

The Arabic model in Debian's tesseract-ocr-ara (tessdata 4.1.0) has only ٠ and ١ among the
Arabic-Indic digits, so ٢ to ٩ come out as Latin look-alikes and in the wrong order. ocr.digits
matches digit glyphs against these templates instead. Each template is a glyph drawn in one
font, cropped, and fitted into a GRID x GRID bitmap with its aspect ratio kept, plus its height
relative to the other digits of the same font and script.

The data file digit_templates.txt beside this module was made with
`python -m ocr.digit_templates FONT_FILE...` from Amiri (fonts-hosny-amiri), Noto Naskh Arabic,
Noto Sans Arabic and Noto Kufi Arabic (fonts-noto-core) and DejaVu Sans (fonts-dejavu-core),
regular and bold.
"""

import functools
import logging
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

logger = logging.getLogger(__name__)

GRID = 24
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
EUROPEAN_DIGITS = "0123456789"
SEPARATORS = "/"
TEMPLATE_FILE = Path(__file__).with_name("digit_templates.txt")
_RENDER_SIZE_PX = 96


@dataclass(frozen=True)
class Template:
    character: str
    font: str
    bits: int  # GRID * GRID bitmap, bit i set where pixel i (row-major) is ink
    relative_height: float  # glyph height divided by the median digit height in its font


def bitmap_bits(ink: Image.Image) -> int | None:
    """Fit the ink (mode "L", ink bright) into the GRID bitmap; None when there is no ink."""
    box = ink.getbbox()
    if box is None:
        return None

    glyph = ink.crop(box)
    factor = GRID / max(glyph.size)
    size = (max(1, round(glyph.width * factor)), max(1, round(glyph.height * factor)))
    glyph = glyph.resize(size, Image.Resampling.BOX)

    cell = Image.new("L", (GRID, GRID), 0)
    cell.paste(glyph, ((GRID - size[0]) // 2, (GRID - size[1]) // 2))

    bits = 0
    for index, value in enumerate(cell.tobytes()):
        if value >= 128:
            bits |= 1 << index
    return bits


@functools.cache
def load_templates() -> tuple[Template, ...]:
    """Read the shipped templates once per process."""
    templates = []
    for row in TEMPLATE_FILE.read_text(encoding="utf-8").splitlines():
        if not row or row.startswith("#"):
            continue
        character, font, bits, relative_height = row.split("\t")
        templates.append(Template(character, font, int(bits, 16), float(relative_height)))
    return tuple(templates)


def build_templates(font_paths: list[Path]) -> list[Template]:
    """Draw every digit and separator in every font and turn each into a template."""
    templates = []
    for path in font_paths:
        font = ImageFont.truetype(str(path), _RENDER_SIZE_PX)
        for script in (ARABIC_INDIC_DIGITS, EUROPEAN_DIGITS):
            templates.extend(_script_templates(font, path.stem, script + SEPARATORS))
    return templates


def _script_templates(font: ImageFont.FreeTypeFont, name: str, characters: str) -> list[Template]:
    # Pillow draws a missing glyph as the font's .notdef box; compare with an unassigned code point.
    missing = _draw(font, "\uffff")[0].tobytes()
    glyphs = {}
    for character in characters:
        ink, box = _draw(font, character)
        if ink.tobytes() == missing:
            logger.warning("font %s has no glyph for %r", name, character)
            continue
        glyphs[character] = (ink, box)

    heights = {character: box[3] - box[1] for character, (_, box) in glyphs.items() if box}
    digit_heights = [height for character, height in heights.items() if character.isdigit()]
    reference = statistics.median(digit_heights)

    templates = []
    for character, (ink, box) in glyphs.items():
        bits = bitmap_bits(ink)
        if bits is None or box is None:
            logger.warning("font %s has no glyph for %r", name, character)
            continue
        templates.append(Template(character, name, bits, heights[character] / reference))
    return templates


def _draw(font: ImageFont.FreeTypeFont, character: str) -> tuple[Image.Image, tuple | None]:
    canvas = Image.new("L", (_RENDER_SIZE_PX * 2, _RENDER_SIZE_PX * 2), 0)
    ImageDraw.Draw(canvas).text((_RENDER_SIZE_PX // 2, _RENDER_SIZE_PX // 4), character,
                                font=font, fill=255)
    ink = canvas.point(lambda value: 255 if value >= 128 else 0)
    return ink, ink.getbbox()


def write_templates(templates: list[Template], path: Path = TEMPLATE_FILE) -> None:
    rows = ["# character, font, bitmap as hex, height relative to the font's digits"]
    for template in templates:
        rows.append(
            f"{template.character}\t{template.font}\t{template.bits:x}\t"
            f"{template.relative_height:.3f}"
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def main(arguments: list[str]) -> int:
    if not arguments:
        print("usage: python -m ocr.digit_templates FONT_FILE...", file=sys.stderr)
        return 2
    templates = build_templates([Path(argument) for argument in arguments])
    write_templates(templates)
    print(f"wrote {len(templates)} templates to {TEMPLATE_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

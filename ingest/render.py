"""Page images for OCR and thumbnails, from PDFs (with PDFium) and from scanned image files.

Every page comes back as an 8-bit "L" or "RGB" image, upright, at no more than the requested
resolution and never above a pixel cap. Scans made at a higher resolution than requested are
scaled down, decoding JPEGs at a reduced size directly to save memory.
"""

import logging
import math
from pathlib import Path

import pypdfium2
from PIL import Image, JpegImagePlugin

from archive_api.settings import Settings
from ingest.intake import allow_pillow_decoding, open_image
from ingest.types import FileFacts, Limits

logger = logging.getLogger(__name__)

POINTS_PER_INCH = 72
DEFAULT_MAX_PIXELS: int = Settings.model_fields["max_image_pixels"].default
THUMBNAIL_MAX_SIDE = 320

# A scan without a usable resolution tag is taken as 300 dpi. If it would be larger than an
# A3 sheet at 300 dpi, it is taken as an A3 sheet scanned at a higher resolution.
ASSUMED_SCAN_DPI = 300
A3_LONG_SIDE_INCHES = 420 / 25.4
# Resolution tags that make the page smaller than this or larger than A3 are ignored, such
# as the 72 dpi that cameras and some scanners write whatever the real resolution is.
MIN_PAGE_INCHES = 2.0
MAX_PAGE_INCHES = A3_LONG_SIDE_INCHES * 1.05

# EXIF orientation values and the transpose that makes the image upright.
_ORIENTATION_TRANSPOSES = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_TIFF_ORIENTATION_TAG = 0x0112


def page_count(path: Path, facts: FileFacts) -> int:
    """Count the pages of a file that intake accepted: PDF pages, TIFF frames, else 1."""
    if facts.kind == "pdf":
        document = pypdfium2.PdfDocument(path)
        try:
            return len(document)
        finally:
            document.close()
    if facts.kind == "tiff":
        with open_image(path, "tiff") as image:
            return getattr(image, "n_frames", 1)
    return 1


def render_page(path: Path, facts: FileFacts, page_number: int, dpi: int, limits: Limits | None = None) -> Image.Image:
    """Return a 1-based page as an upright "L" or "RGB" image at up to ``dpi``.

    A page that would have more than ``limits.max_image_pixels`` pixels at ``dpi`` (the
    settings' default without ``limits``) is rendered at the largest scale that fits. Image
    files are never scaled up.
    """
    if page_number < 1:
        raise ValueError(f"page_number must be 1 or more, got {page_number}")

    max_pixels = limits.max_image_pixels if limits is not None else DEFAULT_MAX_PIXELS
    if facts.kind == "pdf":
        return _render_pdf_page(path, page_number, dpi, max_pixels)
    return _render_image_page(path, facts, page_number, dpi, max_pixels)


def make_thumbnail(image: Image.Image, max_side: int = THUMBNAIL_MAX_SIDE) -> Image.Image:
    """Return a copy of ``image`` scaled to fit a ``max_side`` square, in "L" or "RGB"."""
    thumbnail = _to_l_or_rgb(image).copy()
    thumbnail.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return thumbnail


# --- PDF -------------------------------------------------------------------------------------


def _render_pdf_page(path: Path, page_number: int, dpi: int, max_pixels: int) -> Image.Image:
    document = pypdfium2.PdfDocument(path)
    try:
        # Filled-in form fields are drawn only when the form environment is set up.
        document.init_forms()
        if page_number > len(document):
            raise ValueError(f"page {page_number} is outside 1..{len(document)}")

        page = document[page_number - 1]
        # get_size already swaps width and height for /Rotate 90 and 270.
        width_pt, height_pt = page.get_size()
        scale = _capped_scale(width_pt, height_pt, dpi / POINTS_PER_INCH, max_pixels)
        bitmap = page.render(scale=scale, may_draw_forms=True, rev_byteorder=True)
        image = bitmap.to_pil()
        # The bitmap's buffer belongs to PDFium, so keep a copy that outlives the document.
        return _to_l_or_rgb(image).copy()
    finally:
        document.close()


def _capped_scale(width: float, height: float, scale: float, max_pixels: int) -> float:
    if width * height * scale * scale <= max_pixels:
        return scale
    capped = math.sqrt(max_pixels / (width * height))
    # PDFium rounds the bitmap size up, which can add a row and a column.
    while math.ceil(width * capped) * math.ceil(height * capped) > max_pixels:
        capped *= 0.999
    logger.info(
        "page rendered at %.3f instead of %.3f pixels per point to stay within %d pixels", capped, scale, max_pixels
    )
    return capped


# --- image files -----------------------------------------------------------------------------


def _render_image_page(path: Path, facts: FileFacts, page_number: int, dpi: int, max_pixels: int) -> Image.Image:
    with open_image(path, facts.kind) as image:
        frames = getattr(image, "n_frames", 1) if facts.kind == "tiff" else 1
        if page_number > frames:
            raise ValueError(f"page {page_number} is outside 1..{frames}")
        image.seek(page_number - 1)

        orientation = _orientation(image)
        target = _target_size(image, dpi, max_pixels)
        allow_pillow_decoding(image.size)
        if isinstance(image, JpegImagePlugin.JpegImageFile) and target != image.size:
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale, never below the requested size.
            image.draft(image.mode, target)
        image.load()
        page = _resize(_to_l_or_rgb(image), target)

    transpose = _ORIENTATION_TRANSPOSES.get(orientation)
    return page.transpose(transpose) if transpose is not None else page


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(_TIFF_ORIENTATION_TAG, 1))
    except (ValueError, TypeError, OSError):
        return 1


def _source_dpi(image: Image.Image) -> tuple[float, float]:
    """Return the horizontal and vertical resolution of a scan, trusting only plausible tags."""
    width, height = image.size
    tag = image.info.get("dpi")
    try:
        x_dpi, y_dpi = (float(value) for value in tag) if tag else (0.0, 0.0)
    except (TypeError, ValueError):
        x_dpi = y_dpi = 0.0

    if x_dpi > 0 and y_dpi > 0:
        sides = (width / x_dpi, height / y_dpi)
        if MIN_PAGE_INCHES <= min(sides) and max(sides) <= MAX_PAGE_INCHES:
            return x_dpi, y_dpi

    assumed = max(ASSUMED_SCAN_DPI, max(width, height) / A3_LONG_SIDE_INCHES)
    return assumed, assumed


def _target_size(image: Image.Image, dpi: int, max_pixels: int) -> tuple[int, int]:
    width, height = image.size
    x_dpi, y_dpi = _source_dpi(image)

    # Fax-style scans (such as 204 × 98 dpi) get square pixels at their higher resolution.
    output_dpi = min(dpi, max(x_dpi, y_dpi))
    target_width = width * output_dpi / x_dpi
    target_height = height * output_dpi / y_dpi

    if target_width * target_height <= max_pixels:
        return max(1, round(target_width)), max(1, round(target_height))

    shrink = math.sqrt(max_pixels / (target_width * target_height))
    return max(1, math.floor(target_width * shrink)), max(1, math.floor(target_height * shrink))


def _resize(image: Image.Image, target: tuple[int, int]) -> Image.Image:
    if image.size == target:
        return image

    factor = min(image.width // target[0], image.height // target[1])
    if factor >= 2:
        # reduce() averages whole pixel blocks cheaply, so LANCZOS only handles the remainder.
        image = image.reduce(factor)
    if image.size == target:
        return image
    return image.resize(target, Image.Resampling.LANCZOS)


def _to_l_or_rgb(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode in ("L", "RGB"):
        return image
    if mode == "1":
        return image.convert("L")
    if mode in ("I", "F") or mode.startswith("I;16"):
        return _stretch_to_8_bit(image)
    if mode == "P":
        image = image.convert("RGBA") if "transparency" in image.info else image.convert("RGB")
        mode = image.mode
    if mode in ("LA", "La", "RGBA", "RGBa", "PA"):
        return _flatten_on_white(image)
    return image.convert("RGB")


def _stretch_to_8_bit(image: Image.Image) -> Image.Image:
    """Map a 16-bit or float greyscale image onto 0..255 by its own value range."""
    wide = image if image.mode in ("I", "F") else image.convert("I")
    low, high = wide.getextrema()
    span = (high - low) or 1
    factor = 255 / span
    # The added half rounds to the nearest level, as the conversion to "L" truncates.
    return wide.point(lambda value: value * factor - low * factor + 0.5).convert("L")


def _flatten_on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flattened = Image.alpha_composite(background, rgba)
    return flattened.convert("L" if image.mode in ("LA", "La") else "RGB")

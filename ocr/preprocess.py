"""Page image clean-up before Tesseract: greyscale, polarity, dark frame, contrast, scale.

Everything here uses Pillow only. The output is an 8-bit greyscale image with dark text on a
light background, scaled so that body text is about as tall as Tesseract's models expect.
Deskewing is not done: Tesseract tolerates a few degrees, and OSD handles quarter turns.
"""

import logging
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter, ImageOps

logger = logging.getLogger(__name__)

# Body-text line height (ink rows, ascender to descender) that Tesseract reads best, in pixels.
# About 12 pt text at 300 dpi; measured on rendered Arabic pages and the test corpus.
TARGET_LINE_HEIGHT_PX = 40
MIN_LINE_HEIGHT_PX = 24
MAX_LINE_HEIGHT_PX = 160
MAX_UPSCALE = 4.0
MIN_BANDS_TO_SHRINK = 3
# Upscaling stops at this many pixels, about an A4 page at 400 dpi, to bound Tesseract's time.
MAX_PIXELS_AFTER_UPSCALE = 16_000_000
# Images declared at more than this resolution are brought down to the working resolution.
MAX_WORKING_DPI = 400
WORKING_DPI = 300

# A frame band is at most this share of the page side; darker than DARK_LEVEL on average.
MAX_FRAME_SHARE = 0.15
DARK_LEVEL = 96
# Share of the pixels, in percent, that contrast stretching may clip at either end.
CONTRAST_CUTOFF_PERCENT = 0.5
# Background brighter in one place than another by more than this is flattened.
UNEVEN_BACKGROUND_SPREAD = 48


@dataclass(frozen=True)
class InkBand:
    """A run of rows with ink: one text line, or a row of dots or harakat cut off from it."""

    height: int  # pixels
    ink: int  # sum of the rows' mean ink levels, proportional to the band's ink pixels


@dataclass(frozen=True)
class PreparedPage:
    image: Image.Image  # mode "L", dark text on a light background
    scale: float  # prepared size divided by the input size
    dpi: int  # resolution of the prepared image, for Tesseract


def prepare_page(image: Image.Image, dpi: int) -> PreparedPage:
    """Return a greyscale, upright-polarity, frame-free and suitably scaled copy of a page image."""
    grey = to_greyscale(image)
    if is_dark_background(grey):
        grey = ImageOps.invert(grey)

    grey = remove_dark_frame(grey)
    grey = flatten_background(grey)
    grey = stretch_contrast(grey)

    scale = choose_scale(grey, dpi)
    if scale != 1.0:
        size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        grey = grey.resize(size, Image.Resampling.LANCZOS)

    return PreparedPage(image=grey, scale=scale, dpi=max(1, round(dpi * scale)))


def to_greyscale(image: Image.Image) -> Image.Image:
    """Return an 8-bit greyscale copy, with any transparency composited onto white."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)

    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit scans: keep the top 8 bits rather than clipping everything above 255 to white.
        image = image.point(lambda value: value / 256).convert("L")

    return image.convert("L")


def is_dark_background(grey: Image.Image) -> bool:
    """Whether most of the page is dark, as with light text on a black or coloured ground."""
    histogram = grey.histogram()
    half = grey.width * grey.height / 2
    seen = 0
    for level, count in enumerate(histogram):
        seen += count
        if seen >= half:
            return level < 128
    return False


def remove_dark_frame(grey: Image.Image) -> Image.Image:
    """Paint white the dark bands that touch the page edges, such as a scanner lid's shadow."""
    columns = _profile(grey, axis="columns")
    rows = _profile(grey, axis="rows")
    left = _dark_band(columns, MAX_FRAME_SHARE)
    right = _dark_band(columns[::-1], MAX_FRAME_SHARE)
    top = _dark_band(rows, MAX_FRAME_SHARE)
    bottom = _dark_band(rows[::-1], MAX_FRAME_SHARE)
    if not (left or right or top or bottom):
        return grey

    cleaned = grey.copy()
    width, height = grey.size
    for box in (
        (0, 0, left, height),
        (width - right, 0, width, height),
        (0, 0, width, top),
        (0, height - bottom, width, height),
    ):
        if box[2] > box[0] and box[3] > box[1]:
            cleaned.paste(255, box)
    return cleaned


def flatten_background(grey: Image.Image) -> Image.Image:
    """Even out shading and uneven lighting (photos, book gutters); clean scans pass unchanged."""
    if min(grey.size) < 64:
        return grey

    # The local maximum over areas larger than a glyph approximates the paper's brightness.
    factor = max(1, min(grey.size) // 64)
    small = grey.reduce(factor).filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.BoxBlur(2))
    low, high = _percentiles(small, 0.05, 0.95)
    if high - low <= UNEVEN_BACKGROUND_SPREAD:
        return grey

    background = small.resize(grey.size, Image.Resampling.BILINEAR)
    # 255 minus (paper - pixel): paper becomes white wherever it is, ink stays dark.
    return ImageOps.invert(ImageChops.subtract(background, grey))


def stretch_contrast(grey: Image.Image) -> Image.Image:
    """Stretch grey levels to the full range, ignoring the darkest and lightest outliers.

    Up to CONTRAST_CUTOFF_PERCENT of the pixels at each end are clipped, but at the dark end
    never more than a tenth of the ink (the pixels darker than Otsu's threshold). On a page
    with one short line, the ink is under 0.5 % of the page, and clipping 0.5 % of the pixels
    turns the grey edges of the letters black. On one such test page Tesseract then found no
    text.
    """
    histogram = grey.histogram()
    ink_share = 100 * sum(histogram[: otsu_threshold(grey)]) / sum(histogram)
    dark_cutoff = min(CONTRAST_CUTOFF_PERCENT, ink_share / 10)
    return ImageOps.autocontrast(grey, cutoff=(dark_cutoff, CONTRAST_CUTOFF_PERCENT))


def choose_scale(grey: Image.Image, dpi: int) -> float:
    """Pick the resize factor that brings body text near TARGET_LINE_HEIGHT_PX."""
    if dpi > MAX_WORKING_DPI:
        return WORKING_DPI / dpi

    bands = ink_bands(grey)
    if not bands:
        return 1.0
    line_height = typical_band_height(bands)

    if line_height < MIN_LINE_HEIGHT_PX:
        needed = TARGET_LINE_HEIGHT_PX / line_height
        room = (MAX_PIXELS_AFTER_UPSCALE / (grey.width * grey.height)) ** 0.5
        return max(1.0, min(needed, MAX_UPSCALE, room))

    # A page turned by 90 degrees shows one tall band, not large text: leave it to OSD.
    if line_height > MAX_LINE_HEIGHT_PX and len(bands) >= MIN_BANDS_TO_SHRINK:
        return TARGET_LINE_HEIGHT_PX * 2 / line_height

    return 1.0


def estimate_line_height(grey: Image.Image) -> float | None:
    """Return the typical height of the horizontal ink bands, or None for a blank page."""
    bands = ink_bands(grey)
    return typical_band_height(bands) if bands else None


def typical_band_height(bands: list[InkBand]) -> int:
    """Return the ink-weighted median band height: the height of the band holding half the ink.

    Weighting by ink keeps rows of dots and harakat from counting as lines. On a page with one
    short line they form bands of their own, because their rows contain too little ink. The
    plain median of such a page's four bands, of 7 to 30 pixels, would enlarge it 3.3 times.
    """
    total = sum(band.ink for band in bands)
    seen = 0
    for band in sorted(bands, key=lambda band: band.height):
        seen += band.ink
        if seen * 2 >= total:
            return band.height
    return bands[-1].height


def ink_bands(grey: Image.Image) -> list[InkBand]:
    """Return the horizontal ink bands (text lines) from top to bottom.

    Lines in side-by-side columns that do not line up merge into taller bands, so the estimate
    errs towards tall, which only means that small text in such layouts is not enlarged.
    """
    threshold = otsu_threshold(grey)
    ink = grey.point(lambda value: 255 if value < threshold else 0)
    rows = _profile(ink, axis="rows")

    # A row belongs to a text line when its ink reaches a tenth of a typical text row's ink,
    # so that specks, rules and a shadow along the gutter do not join lines together.
    busy_row_ink = sorted(rows)[int(len(rows) * 0.9)]
    minimum_ink = max(255 * 0.005, busy_row_ink * 0.1)
    bands = []
    height = 0
    band_ink = 0
    for level in rows + [0]:
        if level >= minimum_ink:
            height += 1
            band_ink += level
            continue
        if height >= 3:
            bands.append(InkBand(height=height, ink=band_ink))
        height = 0
        band_ink = 0

    return bands


def otsu_threshold(grey: Image.Image) -> int:
    """Return the grey level that best splits the histogram into ink and paper (Otsu's method)."""
    histogram = grey.histogram()
    total = sum(histogram)
    weighted_total = sum(level * count for level, count in enumerate(histogram))

    best_level, best_variance = 128, -1.0
    below, weighted_below = 0, 0
    for level, count in enumerate(histogram):
        below += count
        weighted_below += level * count
        above = total - below
        if below == 0 or above == 0:
            continue
        mean_below = weighted_below / below
        mean_above = (weighted_total - weighted_below) / above
        variance = below * above * (mean_below - mean_above) ** 2
        if variance > best_variance:
            best_level, best_variance = level + 1, variance
    return best_level


def _profile(grey: Image.Image, axis: str) -> list[int]:
    """Mean grey level of every column or every row, computed by Pillow's box resize."""
    if axis == "columns":
        return list(grey.resize((grey.width, 1), Image.Resampling.BOX).tobytes())
    return list(grey.resize((1, grey.height), Image.Resampling.BOX).tobytes())


def _dark_band(levels: list[int], max_share: float) -> int:
    """Width of the dark band at the start of a profile, or 0 if the profile starts light."""
    limit = int(len(levels) * max_share)
    width = 0
    while width < limit and levels[width] < DARK_LEVEL:
        width += 1
    if width == limit:
        # Dark all the way to the limit: a dark page or a photo, not a frame.
        return 0
    if width == 0:
        return 0
    # The band's edge is blurred in scans and photos, so take a few more pixels with it.
    return min(limit, width + max(2, len(levels) // 200))


def _percentiles(grey: Image.Image, low: float, high: float) -> tuple[int, int]:
    histogram = grey.histogram()
    total = sum(histogram)
    bounds = []
    for share in (low, high):
        seen = 0
        for level, count in enumerate(histogram):
            seen += count
            if seen >= total * share:
                bounds.append(level)
                break
    return bounds[0], bounds[1]

"""Image files for Tesseract: the prepared page and crops of word regions read in one call.

Tesseract accepts a text file that lists image paths and reads it as a multi-page input, so
any number of crops costs one process start and one model load. The `page` number of each word
that Tesseract returns is the crop's position in that list, counted from 1.
"""

import logging
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from ocr.preprocess import PreparedPage
from ocr.tesseract import Word

logger = logging.getLogger(__name__)

# Padding left and right of a group of words, as a share of the words' height.
SIDE_PAD_SHARE = 0.5


def save_png(image: Image.Image, dpi: int, path: Path) -> Path:
    """Save an image for one Tesseract call, with its resolution in the PNG header."""
    # Fast compression: the file lives for one Tesseract call.
    image.save(path, format="PNG", compress_level=1, dpi=(dpi, dpi))
    return path


def save_crops(
    prepared: PreparedPage,
    regions: Sequence[Sequence[Word]],
    vertical_pad_shares: Sequence[float],
    workdir: Path,
    stem: str,
) -> tuple[Path, list[tuple[int, int]]]:
    """Save the box around each group of words on a white margin.

    Returns a list file that Tesseract reads as a multi-page input, and the page position of
    each crop's top left corner. The box is padded by half the words' height on the left and
    right, and above and below by the region's share of the height in `vertical_pad_shares`.
    """
    paths = []
    origins = []
    for number, (region, vertical_pad_share) in enumerate(
        zip(regions, vertical_pad_shares, strict=True), start=1
    ):
        top = min(word.top for word in region)
        bottom = max(word.bottom for word in region)
        height = bottom - top
        side_pad = max(2, round(height * SIDE_PAD_SHARE))
        vertical_pad = max(2, round(height * vertical_pad_share))
        box = (max(0, min(word.left for word in region) - side_pad),
               max(0, top - vertical_pad),
               min(prepared.image.width, max(word.right for word in region) + side_pad),
               min(prepared.image.height, bottom + vertical_pad))
        crop = prepared.image.crop(box)

        margin = max(10, height // 2)
        canvas = Image.new("L", (crop.width + 2 * margin, crop.height + 2 * margin), 255)
        canvas.paste(crop, (margin, margin))
        paths.append(save_png(canvas, prepared.dpi, workdir / f"{stem}-{number}.png"))
        origins.append((box[0] - margin, box[1] - margin))

    listing = workdir / f"{stem}.txt"
    listing.write_text("".join(f"{path}\n" for path in paths), encoding="utf-8")
    return listing, origins

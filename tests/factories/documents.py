"""Builders for test documents: Arabic pages, scanned and text PDFs, TIFFs, and hostile files.

Every builder returns a Pillow image or the file's bytes, so tests write them under tmp_path
and nothing generated lands in the repository. Arabic text is shaped with real engines:
Pillow's raqm layout for images and HarfBuzz (through fpdf2) for PDF text layers.
"""

import functools
import io
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import img2pdf
import pikepdf
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont, features

A4_MM = (210, 297)
A3_MM = (297, 420)
MM_PER_INCH = 25.4
POINTS_PER_INCH = 72
PREFERRED_ARABIC_FAMILIES = ("Amiri", "Noto Naskh Arabic")
OWNER_PASSWORD = "owner-secret"
USER_PASSWORD = "user-secret"

SAMPLE_ARABIC_LINES = [
    "المجلس الوطني لشؤون الموظفين",
    "صدر القرار في ٢١/٠٧/١٩٩٦م",
    "رقم الملف ٤٥٦٧ الدرجة الثالثة",
]


# --- fonts -----------------------------------------------------------------------------------


@functools.cache
def arabic_font_path() -> Path:
    """Return the regular Arabic font that fontconfig lists, Amiri first, then Noto Naskh Arabic."""
    listing = subprocess.run(
        ["fc-list", ":lang=ar", "--format=%{file}|%{family[0]}|%{style[0]}\n"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fonts = [line.split("|") for line in listing.splitlines() if line.count("|") == 2]
    for family in PREFERRED_ARABIC_FAMILIES:
        for path, listed_family, style in fonts:
            if listed_family == family and style == "Regular" and path.endswith((".ttf", ".otf")):
                return Path(path)
    raise RuntimeError("No Arabic font found. Install the Debian package fonts-hosny-amiri or fonts-noto-core.")


# --- images ----------------------------------------------------------------------------------


def page_size_pixels(paper_mm: tuple[float, float], dpi: int) -> tuple[int, int]:
    return round(paper_mm[0] / MM_PER_INCH * dpi), round(paper_mm[1] / MM_PER_INCH * dpi)


def render_arabic_page(
    lines: list[str], font_size: float = 14, dpi: int = 300, paper_mm: tuple[float, float] = A4_MM
) -> Image.Image:
    """Draw right-aligned Arabic lines on a white greyscale page, as a clean scan would look.

    ``font_size`` is in points, so the text keeps its physical size at any ``dpi``.
    """
    if not features.check("raqm"):
        raise RuntimeError("Pillow was built without raqm, so it cannot shape Arabic text")

    width, height = page_size_pixels(paper_mm, dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(arabic_font_path()), round(font_size * dpi / POINTS_PER_INCH))

    margin = round(dpi * 0.8)
    line_height = round(font_size * dpi / POINTS_PER_INCH * 1.9)
    for index, line in enumerate(lines):
        anchor_y = margin + index * line_height
        draw.text((width - margin, anchor_y), line, fill=0, font=font, anchor="ra", direction="rtl", language="ar")
    page.info["dpi"] = (dpi, dpi)
    return page


def blank_scan(paper_mm: tuple[float, float], dpi: int, mode: str = "L") -> Image.Image:
    """Return a white page with a black bar, the size a scanner makes at ``dpi``."""
    size = page_size_pixels(paper_mm, dpi)
    image = Image.new(mode, size, 255 if mode in ("L", "1") else (255, 255, 255))
    ImageDraw.Draw(image).rectangle((size[0] // 10, size[1] // 10, size[0] // 2, size[1] // 8), fill=0)
    return image


def image_bytes(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def make_multipage_tiff(images: list[Image.Image], compression: str = "tiff_lzw", dpi: int = 300) -> bytes:
    """Return a TIFF with one frame per image. With "group4", frames are converted to 1-bit first."""
    if compression == "group4":
        images = [image.convert("1") for image in images]
    first, *rest = images
    return image_bytes(first, "TIFF", save_all=True, append_images=rest, compression=compression, dpi=(dpi, dpi))


# --- PDFs ------------------------------------------------------------------------------------


def make_scanned_pdf(images: list[Image.Image], dpi: int = 300) -> bytes:
    """Return a PDF with one page per image and no text layer, as a scanner makes it."""
    pages = [image_bytes(image, "PNG", dpi=(dpi, dpi)) for image in images]
    return img2pdf.convert(pages)


def make_text_pdf(lines: list[str], font_size: float = 16, tilt_degrees: float = 0) -> bytes:
    """Return an A4 PDF whose text layer contains ``lines``, shaped by HarfBuzz, right-aligned.

    ``tilt_degrees`` turns the text counter-clockwise about the page centre, as on a scan
    that was fed in at an angle and then given a text layer.
    """
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.add_font("Arabic", fname=str(arabic_font_path()))
    pdf.set_font("Arabic", size=font_size)
    pdf.set_text_shaping(use_shaping_engine=True, script="arab", language="ar")
    with pdf.rotation(tilt_degrees, x=pdf.w / 2, y=pdf.h / 2):
        for line in lines:
            pdf.cell(0, font_size * 0.75, line, new_x="LMARGIN", new_y="NEXT", align="R")
    return bytes(pdf.output())


def make_owner_password_pdf(pdf_bytes: bytes, owner_password: str = OWNER_PASSWORD) -> bytes:
    """Return the PDF encrypted with an owner password and an empty user password."""
    return _encrypt(pdf_bytes, owner=owner_password, user="")


def make_user_password_pdf(pdf_bytes: bytes, user_password: str = USER_PASSWORD) -> bytes:
    """Return the PDF encrypted so that opening it needs ``user_password``."""
    return _encrypt(pdf_bytes, owner=OWNER_PASSWORD, user=user_password)


def _encrypt(pdf_bytes: bytes, owner: str, user: str) -> bytes:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        buffer = io.BytesIO()
        pdf.save(buffer, encryption=pikepdf.Encryption(owner=owner, user=user, R=6))
        return buffer.getvalue()


def make_many_pages_pdf(page_count: int) -> bytes:
    """Return a PDF of ``page_count`` pages that share one content stream, so it stays small."""
    pdf = pikepdf.new()
    content = pdf.make_stream(b"0 0 0 rg 72 720 200 20 re f")
    for _ in range(page_count):
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842], Contents=content, Resources=pikepdf.Dictionary()
        )
        pdf.pages.append(pikepdf.Page(page))
    return _save(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def make_blank_pdf(width_pt: float = 595, height_pt: float = 842, rotate: int = 0) -> bytes:
    """Return a one-page PDF of the given size, which may be far beyond any paper size."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(width_pt, height_pt))
    if rotate:
        pdf.pages[0].obj.Rotate = rotate
    return _save(pdf)


def make_declared_image_pdf(width: int, height: int) -> bytes:
    """Return an A4 PDF drawing an image XObject that declares ``width`` × ``height`` pixels.

    The image data is a few bytes of deflated zeros, as in a decompression bomb.
    """
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    image = pdf.make_stream(b"")
    image.write(zlib.compress(b"\0" * 1024), filter=pikepdf.Name.FlateDecode)
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height = width, height
    image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceGray, 8

    page = pdf.pages[0]
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.obj.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    return _save(pdf)


def make_inline_image_pdf(width: int, height: int) -> bytes:
    """Return an A4 PDF whose content stream draws an inline image declaring ``width`` × ``height``."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    header = b"q 100 0 0 100 72 600 cm BI /W %d /H %d /CS /G /BPC 8 /F /Fl ID " % (width, height)
    pdf.pages[0].obj.Contents = pdf.make_stream(header + zlib.compress(b"\0" * 64) + b" EI Q")
    return _save(pdf)


def make_nested_flate_pdf(inflated_bytes: int, levels: int = 2) -> bytes:
    """Return a PDF whose page content is ``inflated_bytes`` zeros deflated ``levels`` times.

    With /Filter [/FlateDecode /FlateDecode] a few kilobytes expand to any size, so the
    stream is written as encoded data and never decoded while saving.
    """
    data = deflated_zeros(inflated_bytes)
    for _ in range(levels - 1):
        data = zlib.compress(data, 9)

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    content = pdf.make_stream(b"")
    content.write(data, filter=pikepdf.Array([pikepdf.Name.FlateDecode] * levels))
    pdf.pages[0].obj.Contents = content
    return _save(pdf, stream_decode_level=pikepdf.StreamDecodeLevel.none, compress_streams=False)


def deflated_zeros(size: int, block: int = 1024 * 1024) -> bytes:
    """Return a zlib stream of ``size`` zero bytes without building them in memory.

    After a full flush, deflate encodes each identical block to identical bytes, so one
    encoded block is repeated and only the Adler-32 checksum is computed over every block.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    encoded_block = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    blocks, remainder = divmod(size, block)

    tail = compressor.compress(bytes(remainder)) + compressor.flush(zlib.Z_FINISH)
    checksum = 1
    zero_block = bytes(block)
    for _ in range(blocks):
        checksum = zlib.adler32(zero_block, checksum)
    checksum = zlib.adler32(bytes(remainder), checksum)
    return b"\x78\xda" + encoded_block * blocks + tail + struct.pack(">I", checksum)


def _save(pdf: pikepdf.Pdf, **options) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer, **options)
    pdf.close()
    return buffer.getvalue()


# --- hostile and broken files ----------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png_header_bomb(width: int, height: int) -> bytes:
    """Return a valid-looking greyscale PNG of under 100 bytes that declares ``width`` × ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _png_chunk(b"IEND", b"")
    )


def make_tiff_header_bomb(width: int, height: int) -> bytes:
    """Return an uncompressed greyscale TIFF header declaring ``width`` × ``height`` pixels."""
    tags = [
        (256, 4, width),  # ImageWidth, LONG
        (257, 4, height),  # ImageLength
        (258, 3, 8),  # BitsPerSample, SHORT
        (259, 3, 1),  # Compression: none
        (262, 3, 1),  # PhotometricInterpretation: black is zero
        (273, 4, 0),  # StripOffsets, patched below
        (277, 3, 1),  # SamplesPerPixel
        (278, 4, height),  # RowsPerStrip
        (279, 4, 16),  # StripByteCounts
    ]
    ifd_offset = 8
    data_offset = ifd_offset + 2 + 12 * len(tags) + 4
    entries = b""
    for tag, field_type, value in tags:
        value = data_offset if tag == 273 else value
        packed = struct.pack("<HH", value, 0) if field_type == 3 else struct.pack("<I", value)
        entries += struct.pack("<HHI", tag, field_type, 1) + packed
    return b"II*\x00" + struct.pack("<I", ifd_offset) + struct.pack("<H", len(tags)) + entries + b"\0" * 4 + b"\0" * 16


def make_truncated(data: bytes, keep: float = 0.6) -> bytes:
    """Return the first ``keep`` share of a file, as an interrupted upload leaves it."""
    return data[: int(len(data) * keep)]


def make_disguised_file(content: str) -> bytes:
    """Return a file of another type to upload under a PDF or image name.

    ``content`` is "html", "zip", "exe" or "text".
    """
    if content == "html":
        return b"<!DOCTYPE html>\n<html><head><title>Login</title></head><body>scan</body></html>\n"
    if content == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        return buffer.getvalue()
    if content == "exe":
        return b"MZ\x90\x00" + b"\x00" * 56 + struct.pack("<I", 64) + b"PE\x00\x00" + b"\x00" * 200
    if content == "text":
        return "ملاحظات الموظف\nthis is only text\n".encode()
    raise ValueError(f"unknown disguised content {content!r}")

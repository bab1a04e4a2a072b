"""Intake checks: decide what an uploaded file is from its content and reject what cannot be ingested.

``inspect_file`` runs in the calling process and trusts nothing in the file, but a parser bug
can still hang or exhaust it. Servers call ``inspect_file_isolated``, which runs the same checks
in a worker process with a memory cap and a timeout (see ingest.isolation).
"""

import logging
import os
import re
import unicodedata
from pathlib import Path

import pikepdf
import pypdfium2
from PIL import Image, JpegImagePlugin, PngImagePlugin, TiffImagePlugin, WebPImagePlugin

from archive_api.errors import N_, Term
from ingest.pdf_streams import InflationLimitExceeded, codec_pixel_size, scan_stream
from ingest.rejections import (
    CorruptFile,
    DecompressionBomb,
    EmptyFile,
    EncryptedPdf,
    FileTooLarge,
    ImageTooLarge,
    TooManyPages,
    UnsupportedFileType,
)
from ingest.types import FileFacts, FileKind, Limits

logger = logging.getLogger(__name__)

ACCEPTED_TYPES = Term(N_("PDF, PNG, JPEG, TIFF or WebP"))
KIND_NAMES: dict[FileKind, str] = {"pdf": "PDF", "png": "PNG", "jpeg": "JPEG", "tiff": "TIFF", "webp": "WebP"}
MIME_TYPES: dict[FileKind, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
    "webp": "image/webp",
}
# PDFium opens a PDF whose header comes after up to about 1 KiB of other bytes (checked with
# pypdfium2 5.15), so the header is looked for in that window.
PDF_HEADER_WINDOW = 1024
HEAD_BYTES = 4096
MAX_DISPLAY_NAME_CHARS = 120
FALLBACK_DISPLAY_NAME = "document"
POINTS_PER_INCH = 72


# --- the check -------------------------------------------------------------------------------


def inspect_file(path: Path, display_name: str, limits: Limits) -> FileFacts:
    """Check an uploaded file and return what it is, or raise a RejectedFile subclass.

    The type comes from the content. A supported type under another supported type's name
    (a PNG named .jpg, a PDF named .tiff) is accepted as what it is.
    """
    size = path.stat().st_size
    if size == 0:
        raise EmptyFile(
            N_("%(name)s is empty (0 bytes). Upload the file again, or scan the document again."),
            name=display_name,
        )
    if size > limits.max_bytes:
        raise FileTooLarge(
            N_(
                "%(name)s is %(size_mb)s MB, above the limit of %(limit_mb)s MB "
                "(DIWAN_MAX_UPLOAD_BYTES). Split the document into smaller files or scan it "
                "at a lower resolution."
            ),
            name=display_name,
            size_mb=_megabytes(size),
            limit_mb=_megabytes(limits.max_bytes),
        )

    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    kind = detect_kind(head)
    if kind is None:
        raise _unsupported_type(display_name, head)

    claimed = _claimed_kind(display_name)
    if claimed is not None and claimed != kind:
        logger.info("file content is %s although its name ends like %s; accepted as %s", kind, claimed, kind)

    if kind == "pdf":
        return _inspect_pdf(path, display_name, limits)
    return _inspect_image(path, display_name, kind, limits)


def inspect_file_isolated(path: Path, display_name: str, limits: Limits, memory_mb: int, timeout_s: float) -> FileFacts:
    """Run ``inspect_file`` in a worker process capped at ``memory_mb`` MiB and ``timeout_s`` seconds.

    ``memory_mb`` is normally DIWAN_WORKER_MEMORY_MB. A worker that runs out of memory,
    crashes or times out becomes an InspectionFailed error naming the file.
    """
    # Imported here because ingest.isolation imports this module's error classes.
    from ingest.isolation import run_isolated

    return run_isolated(
        inspect_file,
        (path, display_name, limits),
        display_name=display_name,
        memory_mb=memory_mb,
        timeout_s=timeout_s,
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _count(value: int) -> str:
    return f"{value:,}"


# --- content type ----------------------------------------------------------------------------


def detect_kind(head: bytes) -> FileKind | None:
    """Return the accepted kind that the file's first bytes identify, or None."""
    if b"%PDF-" in head[:PDF_HEADER_WINDOW]:
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


_SIGNATURES = [
    (b"GIF87a", Term(N_("a GIF image"))),
    (b"GIF89a", Term(N_("a GIF image"))),
    (b"BM", Term(N_("a BMP image"))),
    (b"PK\x03\x04", Term(N_("a ZIP archive (Word, Excel and OpenDocument files are ZIP archives)"))),
    (b"PK\x05\x06", Term(N_("an empty ZIP archive"))),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Term(N_("an old Microsoft Office document"))),
    (b"Rar!", Term(N_("a RAR archive"))),
    (b"7z\xbc\xaf\x27\x1c", Term(N_("a 7-Zip archive"))),
    (b"\x1f\x8b", Term(N_("a gzip archive"))),
    (b"MZ", Term(N_("a Windows program"))),
    (b"\x7fELF", Term(N_("a Linux program"))),
    (b"{\\rtf", Term(N_("an RTF document"))),
    (b"%!PS", Term(N_("a PostScript file"))),
    (b"\x00\x00\x00\x0cjP  ", Term(N_("a JPEG 2000 image"))),
    (b"8BPS", Term(N_("a Photoshop image"))),
]


def describe_content(head: bytes) -> Term:
    """Name, for an error message, what an unsupported file's first bytes look like."""
    for signature, description in _SIGNATURES:
        if head.startswith(signature):
            return description
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
            return Term(N_("a HEIC or AVIF photo"))
        return Term(N_("a video or MP4-family file"))

    text = _as_text(head)
    if text is None:
        return Term(N_("unrecognised binary data"))
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith(("<!doctype html", "<html", "<head", "<body")):
        return Term(N_("an HTML page"))
    if start.startswith("<svg") or "<svg" in start[:512]:
        return Term(N_("an SVG drawing"))
    if start.startswith("<?xml"):
        return Term(N_("an XML document"))
    return Term(N_("plain text"))


def _as_text(head: bytes) -> str | None:
    if b"\x00" in head:
        return None

    sample = head
    if len(head) == HEAD_BYTES:
        # The sample may end inside a multi-byte character, which is up to 4 bytes long.
        sample = head[:-3]
    try:
        return sample.decode("utf-8")
    except UnicodeDecodeError:
        return None


_EXTENSION_KINDS: dict[str, FileKind] = {
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".jpe": "jpeg",
    ".jfif": "jpeg",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".webp": "webp",
}


def _claimed_kind(display_name: str) -> FileKind | None:
    return _EXTENSION_KINDS.get(os.path.splitext(display_name)[1].lower())


def _unsupported_type(display_name: str, head: bytes) -> UnsupportedFileType:
    content = describe_content(head)
    claimed = _claimed_kind(display_name)
    if claimed is not None:
        return UnsupportedFileType(
            N_(
                "%(name)s is named like a %(claimed)s file, but its content is %(content)s. "
                "Upload the document as a %(accepted)s file."
            ),
            name=display_name,
            claimed=KIND_NAMES[claimed],
            content=content,
            accepted=ACCEPTED_TYPES,
        )
    return UnsupportedFileType(
        N_("%(name)s is %(content)s, which is not accepted. Upload the document as a %(accepted)s file."),
        name=display_name,
        content=content,
        accepted=ACCEPTED_TYPES,
    )


# --- PDF -------------------------------------------------------------------------------------


def _corrupt(display_name: str, kind: str) -> CorruptFile:
    return CorruptFile(
        N_(
            "%(name)s is a damaged %(kind)s file and cannot be read. Scan the document again "
            "or export it again from the program that made it."
        ),
        name=display_name,
        kind=kind,
    )


def _inspect_pdf(path: Path, display_name: str, limits: Limits) -> FileFacts:
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise EncryptedPdf(
            N_(
                "%(name)s is protected with a password, so it cannot be read. Remove the "
                "password (for example by printing it to a new PDF) and upload that unprotected copy."
            ),
            name=display_name,
        ) from None
    except pikepdf.PdfError as error:
        logger.info("PDF rejected as damaged: %s", type(error).__name__)
        raise _corrupt(display_name, "PDF") from None

    with pdf:
        page_count = _pdf_page_count(pdf, path, display_name)
        _check_page_count(page_count, display_name, limits)
        _check_streams(pdf, display_name, limits)
        _check_page_sizes(pdf, display_name, limits)
        encrypted = pdf.is_encrypted

    return FileFacts(kind="pdf", mime=MIME_TYPES["pdf"], page_count=page_count, encrypted=encrypted)


def _pdf_page_count(pdf: pikepdf.Pdf, path: Path, display_name: str) -> int:
    try:
        page_count = len(pdf.pages)
    except pikepdf.PdfError:
        raise _corrupt(display_name, "PDF") from None

    # Pages are rendered with PDFium, so it must read the same page tree as qpdf.
    try:
        document = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as error:
        logger.info("PDF rejected, PDFium cannot open it: %s", error)
        raise _corrupt(display_name, "PDF") from None
    try:
        rendered_pages = len(document)
    finally:
        document.close()

    if page_count == 0 or rendered_pages != page_count:
        logger.info("PDF rejected: qpdf counts %d pages, PDFium %d", page_count, rendered_pages)
        raise _corrupt(display_name, "PDF")
    return page_count


def _check_page_count(page_count: int, display_name: str, limits: Limits) -> None:
    if page_count <= limits.max_pages:
        return
    raise TooManyPages(
        N_(
            "%(name)s has %(pages)s pages, more than the limit of %(limit)s pages "
            "(DIWAN_MAX_PAGES). Split it into smaller documents and upload them separately."
        ),
        name=display_name,
        pages=page_count,
        limit=limits.max_pages,
    )


def _check_page_sizes(pdf: pikepdf.Pdf, display_name: str, limits: Limits) -> None:
    for number, page in enumerate(pdf.pages, start=1):
        try:
            # PDFium renders the crop box, which defaults to the media box.
            x0, y0, x1, y1 = (float(value) for value in page.cropbox)
            user_unit = float(page.obj.get("/UserUnit", 1))
        except (pikepdf.PdfError, TypeError, ValueError):
            raise _corrupt(display_name, "PDF") from None

        scale = user_unit * limits.ocr_dpi / POINTS_PER_INCH
        width, height = abs(x1 - x0) * scale, abs(y1 - y0) * scale
        if width * height <= limits.max_image_pixels:
            continue
        raise ImageTooLarge(
            N_(
                "Page %(page)s of %(name)s is %(width_mm)s × %(height_mm)s mm. Rendered at "
                "%(dpi)s dpi it would have %(pixels)s pixels, more than the limit of %(limit)s "
                "pixels (DIWAN_MAX_IMAGE_PIXELS). Export the document again with a normal page size."
            ),
            page=number,
            name=display_name,
            width_mm=round(width / limits.ocr_dpi * 25.4),
            height_mm=round(height / limits.ocr_dpi * 25.4),
            dpi=limits.ocr_dpi,
            pixels=_count(round(width * height)),
            limit=_count(limits.max_image_pixels),
        )


def _check_streams(pdf: pikepdf.Pdf, display_name: str, limits: Limits) -> None:
    """Check every stream in the file, referenced or not, as PDFium may decode any of them."""
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue

        if obj.get("/Subtype") == "/Image":
            _check_pixels(_declared_image_size(obj), display_name, limits)

        filters, params = _filter_chain(obj)
        try:
            scan = scan_stream(obj.read_raw_bytes(), filters, params, limits.max_inflated_bytes)
        except InflationLimitExceeded:
            raise DecompressionBomb(
                N_(
                    "%(name)s contains compressed data that expands to more than %(limit_mb)s MB "
                    "(DIWAN_MAX_INFLATED_BYTES), which is how decompression bombs work. Export the "
                    "document again. If it is genuine, ask an administrator to raise the limit."
                ),
                name=display_name,
                limit_mb=_megabytes(limits.max_inflated_bytes),
            ) from None
        except pikepdf.PdfError:
            raise _corrupt(display_name, "PDF") from None

        if scan.image_filter is not None:
            codec_params = params[filters.index(scan.image_filter)]
            _check_pixels(codec_pixel_size(scan.image_filter, scan.head, codec_params), display_name, limits)
        if obj.get("/Subtype") == "/Form":
            _check_inline_images(obj, display_name, limits)

    for page in pdf.pages:
        _check_inline_images(page, display_name, limits)


def _check_inline_images(content: pikepdf.Page | pikepdf.Stream, display_name: str, limits: Limits) -> None:
    """Check the size of inline images (BI ... ID ... EI) in a page or form's content stream."""
    try:
        instructions = pikepdf.parse_content_stream(content, "BI ID EI")
    except pikepdf.PdfError as error:
        # PDFium skips what it cannot parse in a content stream, so this is no reason to reject.
        logger.debug("content stream not parsed for inline images: %s", type(error).__name__)
        return

    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            image = instruction.iimage
            _check_pixels((int(image.width), int(image.height)), display_name, limits)


def _declared_image_size(image: pikepdf.Stream) -> tuple[int, int] | None:
    try:
        return int(image.get("/Width", 0)), int(image.get("/Height", 0))
    except (TypeError, ValueError, pikepdf.PdfError):
        return None


def _filter_chain(stream: pikepdf.Stream) -> tuple[list[str], list[dict]]:
    filters = stream.get("/Filter")
    params = stream.get("/DecodeParms")
    if filters is None:
        return [], []

    names = [str(name) for name in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
    if isinstance(params, pikepdf.Array):
        param_list = [_as_dict(item) for item in params]
    else:
        param_list = [_as_dict(params)]
    param_list = (param_list + [{}] * len(names))[: len(names)]
    return names, param_list


def _as_dict(value) -> dict:
    if isinstance(value, pikepdf.Dictionary):
        return {str(key): item for key, item in value.items()}
    return {}


def _check_pixels(size: tuple[int, int] | None, display_name: str, limits: Limits) -> None:
    if size is None:
        return
    width, height = size
    pixels = width * height
    if pixels <= limits.max_image_pixels:
        return
    raise ImageTooLarge(
        N_(
            "%(name)s contains an image of %(width)s × %(height)s pixels (%(pixels)s pixels in "
            "total), more than the limit of %(limit)s pixels (DIWAN_MAX_IMAGE_PIXELS). Scan the "
            "document again at a lower resolution, such as 300 dpi."
        ),
        name=display_name,
        width=width,
        height=height,
        pixels=_count(pixels),
        limit=_count(limits.max_image_pixels),
    )


# --- images ----------------------------------------------------------------------------------

_IMAGE_CLASSES = {
    "png": PngImagePlugin.PngImageFile,
    "jpeg": JpegImagePlugin.JpegImageFile,
    "tiff": TiffImagePlugin.TiffImageFile,
    "webp": WebPImagePlugin.WebPImageFile,
}
_PILLOW_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError)


def allow_pillow_decoding(size: tuple[int, int]) -> None:
    """Let Pillow decode an image of ``size``, which the caller has checked against the pixel limit.

    Pillow's own process-wide bomb check (about 89 megapixels in Pillow 13, an error above
    twice that) does not use DIWAN_MAX_IMAGE_PIXELS and would reject a 1200-dpi A3 scan that
    the setting allows. Its limit is raised to ``size`` when lower and never lowered.
    """
    pixels = size[0] * size[1]
    if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < pixels:
        Image.MAX_IMAGE_PIXELS = pixels


def open_image(path: Path, kind: FileKind) -> Image.Image:
    """Open an image with the Pillow plugin for its detected kind, reading only the header.

    The plugin class is used directly so that no other decoder reads the file, and so that
    the size can be read before Pillow's own decompression-bomb check.
    """
    return _IMAGE_CLASSES[kind](str(path))


def _inspect_image(path: Path, display_name: str, kind: FileKind, limits: Limits) -> FileFacts:
    try:
        image = open_image(path, kind)
    except _PILLOW_ERRORS as error:
        logger.info("%s image rejected as damaged: %s", kind, type(error).__name__)
        raise _corrupt(display_name, KIND_NAMES[kind]) from None

    with image:
        frame_sizes = _frame_sizes(image, display_name, kind, limits)
        total_pixels = sum(width * height for width, height in frame_sizes)
        if total_pixels > limits.max_image_pixels:
            _reject_image_pixels(display_name, frame_sizes, limits)

    allow_pillow_decoding(max(frame_sizes, key=lambda size: size[0] * size[1]))
    _decode_all_frames(path, display_name, kind, len(frame_sizes))
    # Only TIFF frames are pages. Animated PNG and WebP files keep their first frame.
    page_count = len(frame_sizes) if kind == "tiff" else 1
    return FileFacts(kind=kind, mime=MIME_TYPES[kind], page_count=page_count)


def _frame_sizes(image: Image.Image, display_name: str, kind: FileKind, limits: Limits) -> list[tuple[int, int]]:
    sizes = [image.size]
    if kind != "tiff":
        return sizes * getattr(image, "n_frames", 1)

    # Walk the frames one by one, so a file claiming millions of pages stops at the limit.
    while True:
        try:
            image.seek(len(sizes))
        except EOFError:
            return sizes
        except _PILLOW_ERRORS:
            raise _corrupt(display_name, "TIFF") from None
        sizes.append(image.size)
        if len(sizes) > limits.max_pages:
            raise TooManyPages(
                N_(
                    "%(name)s has more than %(limit)s pages, the limit (DIWAN_MAX_PAGES). "
                    "Split it into smaller documents and upload them separately."
                ),
                name=display_name,
                limit=limits.max_pages,
            )


def _reject_image_pixels(display_name: str, frame_sizes: list[tuple[int, int]], limits: Limits) -> None:
    if len(frame_sizes) == 1:
        _check_pixels(frame_sizes[0], display_name, limits)
    raise ImageTooLarge(
        N_(
            "%(name)s has %(frames)s pages with %(pixels)s pixels in total, more than the limit "
            "of %(limit)s pixels (DIWAN_MAX_IMAGE_PIXELS). Scan the document again at a lower "
            "resolution, such as 300 dpi, or split it into smaller files."
        ),
        name=display_name,
        frames=len(frame_sizes),
        pixels=_count(sum(width * height for width, height in frame_sizes)),
        limit=_count(limits.max_image_pixels),
    )


def _decode_all_frames(path: Path, display_name: str, kind: FileKind, frames: int) -> None:
    """Decode every frame once, so truncated and damaged images are rejected now, not later.

    The sizes were checked first, so decoding is bounded. JPEG frames are decoded at 1/8
    scale, which still reads all compressed data.
    """
    try:
        if kind == "png":
            with open_image(path, kind) as image:
                image.verify()
        with open_image(path, kind) as image:
            for index in range(frames):
                image.seek(index)
                if kind == "jpeg":
                    image.draft(image.mode, (max(image.width // 8, 1), max(image.height // 8, 1)))
                image.load()
    except _PILLOW_ERRORS as error:
        logger.info("%s image rejected as damaged: %s", kind, type(error).__name__)
        raise _corrupt(display_name, KIND_NAMES[kind]) from None


# --- names -----------------------------------------------------------------------------------

# Zero-width joiners shape Persian and Arabic words. Other format characters are removed,
# because they can disguise an extension (U+202E turns "cod.exe" around).
_KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}


def safe_display_name(raw_name: str) -> str:
    """Return a file name that is safe to show and store: base name only, NFC, never empty.

    Path parts from either separator, control and format characters, and leading or trailing
    dots and spaces are removed. Long names are cut to MAX_DISPLAY_NAME_CHARS characters,
    keeping the extension.
    """
    name = unicodedata.normalize("NFC", raw_name or "")
    name = "".join(char for char in name if _is_allowed_name_character(char))
    parts = [part.strip(" .") for part in re.split(r"[\\/]", name)]
    name = next((part for part in reversed(parts) if part), "")

    if len(name) > MAX_DISPLAY_NAME_CHARS:
        stem, extension = os.path.splitext(name)
        if len(extension) > 16:
            stem, extension = name, ""
        name = stem[: MAX_DISPLAY_NAME_CHARS - len(extension)].rstrip(" .") + extension

    return name or FALLBACK_DISPLAY_NAME


def _is_allowed_name_character(char: str) -> bool:
    category = unicodedata.category(char)
    if category in ("Cc", "Cs", "Co", "Cn"):
        return False
    if category == "Cf":
        return char in _KEPT_FORMAT_CHARACTERS
    return True

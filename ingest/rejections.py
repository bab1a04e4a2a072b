"""Why intake rejects a file: one error class per reason, each with its HTTP status."""

from archive_api.errors import DiwanError


class RejectedFile(DiwanError):
    """An uploaded file that is not ingested. The message names the file and what to do next."""

    http_status = 422
    code = "rejected_file"


class EmptyFile(RejectedFile):
    code = "empty_file"


class FileTooLarge(RejectedFile):
    http_status = 413
    code = "file_too_large"


class UnsupportedFileType(RejectedFile):
    http_status = 415
    code = "unsupported_file_type"


class CorruptFile(RejectedFile):
    code = "corrupt_file"


class EncryptedPdf(RejectedFile):
    code = "encrypted_pdf"


class TooManyPages(RejectedFile):
    code = "too_many_pages"


class ImageTooLarge(RejectedFile):
    code = "image_too_large"


class DecompressionBomb(RejectedFile):
    code = "decompression_bomb"


class InspectionFailed(RejectedFile):
    code = "inspection_failed"

"""What may be attached to a resource: checked by extension and by content, within a size limit.

A file's name says what it claims to be; its first bytes say what it is. Both must agree with a type we accept,
and anything that looks like a program (an ELF or Windows executable, a script with a shebang) is refused
whatever its name. Office files are ZIP archives: we read the archive's table of contents (never extracting) to
check it holds the document part of its kind.
"""

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename

MAX_FILES_PER_RESOURCE = 10
ZIP_MAGIC = b"PK\x03\x04"
PROGRAM_MAGICS = (b"\x7fELF", b"MZ", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe")


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    magics: tuple[bytes, ...] = ()
    zip_part: str = ""
    text: bool = False


PDF = FileType("PDF", "application/pdf", magics=(b"%PDF-",))
PNG = FileType("PNG image", "image/png", magics=(b"\x89PNG\r\n\x1a\n",))
JPEG = FileType("JPEG image", "image/jpeg", magics=(b"\xff\xd8\xff",))
GIF = FileType("GIF image", "image/gif", magics=(b"GIF87a", b"GIF89a"))
DOCX = FileType(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    zip_part="word/document.xml",
)
XLSX = FileType(
    "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    zip_part="xl/workbook.xml",
)
PPTX = FileType(
    "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    zip_part="ppt/presentation.xml",
)
TEXT = FileType("text file", "text/plain; charset=utf-8", text=True)
CSV = FileType("CSV file", "text/csv; charset=utf-8", text=True)
MARKDOWN = FileType("Markdown file", "text/markdown; charset=utf-8", text=True)

ALLOWED: dict[str, FileType] = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".gif": GIF,
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".pptx": PPTX,
    ".txt": TEXT,
    ".csv": CSV,
    ".md": MARKDOWN,
}
ALLOWED_LABEL = "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), PNG, JPEG, GIF, text, CSV or Markdown"
ACCEPT_ATTRIBUTE = ",".join(ALLOWED)


class FileRefused(ValidationError):
    """An upload we do not keep, with a message for the person who sent it."""


def max_upload_bytes() -> int:
    return settings.RESOURCE_MAX_UPLOAD_MB * 1024 * 1024


def display_name(filename: str) -> str:
    """The name shown and offered on download: the last path part, without characters a file system or a
    header could misread, at most 150 characters (keeping the extension)."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    try:
        name = get_valid_filename(name)
    except SuspiciousFileOperation:  # Django refuses names like "." or "..": fall back to a neutral one.
        name = "file"
    if len(name) > 150:
        stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix[:10]
        name = stem[: 150 - len(suffix)] + suffix
    return name


def _read_head(upload: UploadedFile, size: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _is_utf8_text(upload: UploadedFile) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def _zip_holds(upload: UploadedFile, part: str) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and part in names


def check_upload(upload: UploadedFile) -> FileType:
    """The accepted type of an upload, or FileRefused saying why not (its name, its size, or its content)."""
    name = display_name(upload.name or "")
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise FileRefused(
            f"“{name}” is {filesizeformat(upload.size)}: files can be at most {filesizeformat(limit)}."
        )
    if not upload.size:
        raise FileRefused(f"“{name}” is empty.")
    file_type = ALLOWED.get(PurePosixPath(name).suffix.lower())
    if file_type is None:
        raise FileRefused(f"“{name}” is not a type we keep. Attach a {ALLOWED_LABEL} file.")
    head = _read_head(upload)
    if head.startswith(PROGRAM_MAGICS):
        raise FileRefused(f"“{name}” is a program, not a {file_type.label}: we do not keep programs.")
    if file_type.magics and not head.startswith(file_type.magics):
        raise FileRefused(f"“{name}” is not really a {file_type.label}: its content does not match its name.")
    if file_type.zip_part and not (head.startswith(ZIP_MAGIC) and _zip_holds(upload, file_type.zip_part)):
        raise FileRefused(f"“{name}” is not really a {file_type.label}: its content does not match its name.")
    if file_type.text and not _is_utf8_text(upload):
        raise FileRefused(f"“{name}” is not plain text (UTF-8): its content does not match its name.")
    return file_type

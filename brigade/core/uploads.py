"""Photos and documents attached to records: checked by content, stored under a random
name, and served only through a view that has already checked the user may see the record.

A model stores an upload in a ``FileField`` with ``validators=[validate_image]`` (or
``validate_document``) and ``upload_to=upload_path("hazards/photos")``; its download view
fetches the record with ``visible_to(user)`` (404 out of scope) and returns
``file_response(record.photo)``. MEDIA_ROOT is never served as public files.
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Pillow's format name → the extension a stored image gets.
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
PDF_MAGIC = b"%PDF-"
# The most pixels a photo may have: 64 million, more than a phone's 50-megapixel camera
# gives. A small file can claim far more (a 15000×15000 PNG of one colour is a few
# hundred kB), which Pillow would then decode into gigabytes: a decompression bomb.
MAX_IMAGE_PIXELS = 64_000_000


class ImageTooLarge(ValueError):
    """An image with more pixels than ``MAX_IMAGE_PIXELS`` (by its header)."""


def _size_ok(upload: IO[bytes]) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; at most %(limit)s MB is accepted."),
            code="file_too_large",
            params={"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"},
        )


def _rewind(upload: IO[bytes]) -> IO[bytes]:
    handle: IO[bytes] = getattr(upload, "file", upload)  # a Django File's own handle
    handle.seek(0)
    return handle


def image_format(upload: IO[bytes]) -> str | None:
    """The image format of the file's content (``"JPEG"``...), or ``None`` if it is not an
    image we accept. The name of the file plays no part. An image with more pixels than
    ``MAX_IMAGE_PIXELS`` raises ``ImageTooLarge`` before anything decodes it."""
    from PIL import Image, UnidentifiedImageError

    # Pillow refuses an image of twice its limit when it opens the header, and only warns
    # below that: the limit is checked here too, from the header, for the band between.
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    handle = _rewind(upload)
    try:
        with Image.open(handle) as image:
            found = image.format
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ImageTooLarge(f"{width}×{height}")
            image.verify()  # reads the whole image: a truncated or forged file fails here
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(str(exc)) from None
    except ImageTooLarge:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        handle.seek(0)
    return found if found in IMAGE_FORMATS else None


def _too_large() -> ValidationError:
    return ValidationError(
        _("This image has too many pixels: at most %(limit)s million are accepted."),
        code="image_too_large",
        params={"limit": MAX_IMAGE_PIXELS // 1_000_000},
    )


def validate_image(upload: IO[bytes]) -> None:
    """A photo: JPEG, PNG, WebP or GIF by content, within the size and pixel limits."""
    _size_ok(upload)
    try:
        found = image_format(upload)
    except ImageTooLarge:
        raise _too_large() from None
    if found is None:
        raise ValidationError(
            _("This is not a photo: upload a JPEG, PNG, WebP or GIF image."), code="not_an_image"
        )


def is_pdf(upload: IO[bytes]) -> bool:
    handle = _rewind(upload)
    head = handle.read(len(PDF_MAGIC))
    handle.seek(0)
    return head == PDF_MAGIC


def validate_document(upload: IO[bytes]) -> None:
    """A document: a PDF or a photo, by content, within the size limit."""
    _size_ok(upload)
    if is_pdf(upload):
        return
    try:
        found = image_format(upload)
    except ImageTooLarge:
        raise _too_large() from None
    if found is None:
        raise ValidationError(
            _("Upload a PDF document or a JPEG, PNG, WebP or GIF image."), code="not_a_document"
        )


def stored_extension(upload: IO[bytes]) -> str:
    """The extension a file is stored under, from its content."""
    try:
        found = image_format(upload)
    except ImageTooLarge:  # refused by the field's validator before it is stored
        found = None
    if found:
        return IMAGE_FORMATS[found]
    return "pdf" if is_pdf(upload) else "bin"


@deconstructible
class upload_path:
    """``upload_to`` that stores ``<prefix>/<yyyy>/<mm>/<random>.<ext from content>``, so a
    user-chosen name never reaches the disk or a URL."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix.strip("/")

    def __call__(self, instance: Model, filename: str) -> str:
        field_file = None
        for field in instance._meta.fields:
            value = getattr(instance, field.name, None)
            if isinstance(value, FieldFile) and value.name == filename:
                field_file = value
                break
        ext = "bin"
        if field_file is not None and not getattr(field_file, "_committed", True):
            ext = stored_extension(field_file.file)
        else:
            guessed = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
            if guessed in {*IMAGE_FORMATS.values(), "pdf"}:
                ext = guessed
        now = timezone.localdate()
        return f"{self.prefix}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{ext}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, upload_path) and other.prefix == self.prefix


def file_response(field_file: FieldFile | None, *, download_name: str = "") -> FileResponse:
    """Stream a stored upload to a user the caller has already checked; 404 if missing.

    Private caching and ``nosniff`` keep a shared proxy or the browser from reusing or
    reinterpreting it; PDFs open inline, never as HTML.
    """
    if not field_file or not field_file.name or not field_file.storage.exists(field_file.name):
        raise Http404(_("No such file."))
    content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    response = FileResponse(
        field_file.open("rb"),
        content_type=content_type,
        as_attachment=bool(download_name),
        filename=download_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


Validator = Callable[[IO[bytes]], None]

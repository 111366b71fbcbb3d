"""Uploaded files on disk, where the streaming readers (sitecert.lib.tabular) can open them."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile


@contextmanager
def upload_on_disk(upload: UploadedFile) -> Iterator[Path]:
    """The upload in a temporary file that keeps its extension (the readers choose by it); removed after."""
    with tempfile.TemporaryDirectory(prefix="sitecert-upload-") as tmp:
        path = Path(tmp) / f"upload{Path(upload.name or '').suffix.lower()}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield path

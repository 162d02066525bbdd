"""The upload handler: files stay in memory up to the limit; a larger one is counted, not kept.

Django's own memory handler drops a file over `FILE_UPLOAD_MAX_MEMORY_SIZE` without a trace
(and drops every file when the whole request is over it), so the endpoint could only say "no
file ... or too large". This one keeps the field, the name and the size of an oversized file,
and none of its bytes, so the refusal can say which file, how large, and what the limit is.
"""

import io
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(UploadedFile):
    """A file that was over the limit: its name and size, no content."""

    def __init__(self, *, name: str, content_type: str, size: int, limit: int) -> None:
        super().__init__(io.BytesIO(), name=name, content_type=content_type, size=size)
        self.limit = limit


class MeasuredMemoryUploadHandler(FileUploadHandler):
    """Each file in memory up to `FILE_UPLOAD_MAX_MEMORY_SIZE`; over it, only its size."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.limit = int(settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
        self.buffer: io.BytesIO | None = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.buffer is not None and self.received > self.limit:
            self.buffer = None  # drop what was kept: the file will be refused
        if self.buffer is not None:
            self.buffer.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile:
        name, content_type = self.file_name or "", self.content_type or ""
        if self.buffer is None:
            return OversizedUpload(
                name=name, content_type=content_type, size=self.received, limit=self.limit
            )
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=name,
            content_type=content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

"""Files the bot and the people sent: documents and photos, kept in memory by file_id.

Like Telegram, a file_id names a file of one kind: a document's id can be sent again as a
document, a photo's as a photo, and not the other way round. Every file also has a path under
which the bot downloads it (``getFile`` + ``/file/bot<token>/<path>``).
"""

from __future__ import annotations

import itertools
import mimetypes
import uuid
from typing import Any

from .images import image_info
from .models import SimDocument
from .protocol import BotRequest, Upload, bad

__all__ = ["MAX_PHOTO", "FileStore"]

MAX_PHOTO = 10 * 1024 * 1024  # Telegram's limit for photos a bot uploads
_PREFIX = {"document": "BQACAgIAAxkBAAI", "photo": "AgACAgIAAxkBAAI"}
_FOLDER = {"document": "documents", "photo": "photos"}
_KIND_NAME = {"document": "Document", "photo": "Photo"}


class FileStore:
    def __init__(self) -> None:
        self._files: dict[str, tuple[SimDocument, str, str]] = {}  # file_id -> (file, kind, path)
        self._by_path: dict[str, str] = {}
        self._seq = itertools.count(1)

    def store(self, content: bytes, filename: str | None, mime_type: str | None, *,
              kind: str = "document", size: tuple[int, int] | None = None) -> SimDocument:
        n = next(self._seq)
        file_id = f"{_PREFIX[kind]}{n:06d}{uuid.uuid4().hex[:20]}"
        width, height = size if size else (None, None)
        doc = SimDocument(file_id=file_id, file_unique_id=f"AgAD{uuid.uuid4().hex[:12]}",
                          filename=filename, mime_type=mime_type, content=content,
                          width=width, height=height)
        ext = ""
        if kind == "photo":
            ext = mimetypes.guess_extension(mime_type or "") or ""
        elif filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1][:10]
        path = f"{_FOLDER[kind]}/file_{n}{ext}"
        self._files[file_id] = (doc, kind, path)
        self._by_path[path] = file_id
        return doc

    def get(self, file_id: str) -> SimDocument | None:
        entry = self._files.get(file_id)
        return entry[0] if entry else None

    def by_path(self, path: str) -> SimDocument | None:
        file_id = self._by_path.get(path)
        return self._files[file_id][0] if file_id else None

    def file_info(self, file_id: str) -> dict | None:
        """The ``File`` object getFile answers (None for an unknown file_id)."""
        entry = self._files.get(file_id)
        if entry is None:
            return None
        doc, _kind, path = entry
        return {"file_id": doc.file_id, "file_unique_id": doc.file_unique_id,
                "file_size": doc.size, "file_path": path}

    # ------------------------------------------------------------------ what the bot sends
    def input_file(self, rq: BotRequest, name: str) -> SimDocument | Upload:
        """The file a send method names in parameter ``name`` ("document" or "photo"): a
        file_id sent earlier, or an upload of this request, checked here and stored by keep()
        once the send is accepted."""
        upload = rq.upload(name)
        if upload is not None:
            if not upload.content:
                raise bad("file must be non-empty")
            if name == "photo":
                _check_photo(upload.content)
            return upload
        value = rq.params.get(name)
        if not value:
            raise bad(f"there is no {name} in the request")
        value = str(value)
        if value.startswith(("http://", "https://")):
            raise bad("failed to get HTTP URL content")  # the sandbox has no internet
        entry = self._files.get(value)
        if entry is None:
            raise bad("wrong file identifier/HTTP URL specified")
        doc, kind, _path = entry
        if kind != name:
            raise bad(f"can't use file of type {_KIND_NAME[kind]} as {_KIND_NAME[name]}")
        return doc

    def keep(self, file: SimDocument | Upload, kind: str) -> SimDocument:
        """The stored file of an accepted send (an upload is stored now)."""
        if isinstance(file, SimDocument):
            return file
        if kind == "photo":
            mime, width, height = image_info(file.content) or ("image/jpeg", 0, 0)
            return self.store(file.content, None, mime, kind="photo", size=(width, height))
        mime = file.mime_type
        if not mime or mime == "application/octet-stream":
            guessed = mimetypes.guess_type(file.filename)[0] if file.filename else None
            mime = guessed or mime
        return self.store(file.content, file.filename, mime or "application/octet-stream")

    # ------------------------------------------------------------------ Message fields
    @staticmethod
    def document_dict(doc: SimDocument) -> dict[str, Any]:
        """The ``Document`` object of a message."""
        d: dict[str, Any] = {"file_id": doc.file_id, "file_unique_id": doc.file_unique_id,
                             "file_size": doc.size}
        if doc.filename:
            d["file_name"] = doc.filename
        if doc.mime_type:
            d["mime_type"] = doc.mime_type
        return d

    @staticmethod
    def photo_sizes(doc: SimDocument) -> list[dict[str, Any]]:
        """The ``photo`` field of a message: one PhotoSize, the picture as it was uploaded (the
        sandbox makes no thumbnails)."""
        return [{"file_id": doc.file_id, "file_unique_id": doc.file_unique_id,
                 "width": doc.width, "height": doc.height, "file_size": doc.size}]


def _check_photo(content: bytes) -> None:
    """Telegram's limits for a photo: 10 MB, width + height at most 10000, ratio at most 20."""
    if len(content) > MAX_PHOTO:
        raise bad("PHOTO_SAVE_FILE_INVALID")
    info = image_info(content)
    if info is None:
        raise bad("IMAGE_PROCESS_FAILED")
    _mime, width, height = info
    if not width or not height or width + height > 10_000 or max(width, height) > 20 * min(
            width, height):
        raise bad("PHOTO_INVALID_DIMENSIONS")

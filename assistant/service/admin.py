"""Keeping the corpus current: the admin token, then add, update, remove, retire and reinstate a
document, each built and served before it returns (all or nothing)."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from assistant.errors import AdminDisabled, InvalidRequest, Unauthorized, UploadTooLarge
from assistant.ingest.manifest import SourceSpec
from assistant.service.imports import ImportReport
from assistant.service.library import Library, Metadata, change, read_upload
from assistant.settings import Settings

T = TypeVar("T")


class Admin:
    def __init__(self, settings: Settings, reload: Callable[[], Any]) -> None:
        self.settings = settings
        self._reload = reload

    def authorize(self, token: str | None) -> None:
        """Admin actions need the token from settings; without one configured they are off."""
        expected = self.settings.admin_token.get_secret_value()
        if not expected:
            raise AdminDisabled("admin actions are off: set ASSISTANT_ADMIN_TOKEN on the server to turn them on")
        if not token or not hmac.compare_digest(token.encode(), expected.encode()):
            raise Unauthorized("missing or wrong admin token")

    def check_size(self, name: str, size: int) -> None:
        limit = self.settings.max_upload_bytes
        if size > limit:
            raise UploadTooLarge(f"{name} has more than the {limit} bytes allowed",
                                 f"文件超过 {limit / (1024 * 1024):g} MB 的上限。", limit=limit)

    def _change(self, edit: Callable[[Library], T]) -> tuple[T, dict[str, Any]]:
        """Edit the corpus, build, and serve the new build before returning (all or nothing)."""
        result, manifest = change(self.settings, edit, timeout=self.settings.build_wait_seconds)
        self._reload()
        return result, manifest

    def add_document(self, name: str, data: bytes, meta: Metadata | None = None) -> tuple[SourceSpec, dict[str, Any]]:
        self.check_size(name, len(data))
        loaded = read_upload(self.settings, name, data)  # before the index lock (_change takes it)
        return self._change(lambda library: library.add(name, data, meta or Metadata(), loaded))

    def add_documents(self, files: Sequence[tuple[str, bytes]], region: str = "",
                      region_parent: str = "") -> tuple[ImportReport, dict[str, Any]]:
        """Several files at once: one edit of the corpus, one build; each file refused on its own."""
        if len(files) > self.settings.max_upload_files:
            raise InvalidRequest(f"{len(files)} files in one upload, more than the {self.settings.max_upload_files} "
                                 "allowed", f"一次最多上传 {self.settings.max_upload_files} 个文件。",
                                 limit=self.settings.max_upload_files)
        return self._change(lambda library: library.add_many(
            files, region or None, region_parent=region_parent, default_region=self.settings.import_default_region,
            max_bytes=self.settings.max_upload_bytes, progress=False))

    def update_document(self, doc_id: str, name: str, data: bytes) -> tuple[SourceSpec, dict[str, Any]]:
        self.check_size(name, len(data))
        loaded = read_upload(self.settings, name, data)  # before the index lock (_change takes it)
        return self._change(lambda library: library.update(doc_id, name, data, loaded))

    def remove_document(self, doc_id: str) -> tuple[SourceSpec, dict[str, Any]]:
        return self._change(lambda library: library.remove(doc_id))

    def retire_document(self, doc_id: str, superseded_by: str = "") -> dict[str, Any]:
        return self._change(lambda library: library.retire(doc_id, superseded_by))[1]

    def reinstate_document(self, doc_id: str) -> dict[str, Any]:
        return self._change(lambda library: library.reinstate(doc_id))[1]

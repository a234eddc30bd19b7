"""Reading an untrusted file (an upload, `assistant add`) in a child process with limits.

Before the child starts, a Word or OFD file's zip directory is checked: member count, total
uncompressed size and each member's compression ratio, so a zip bomb is refused without inflating
anything. The child then extracts the text under a memory cap (RLIMIT_AS) and a wall-time limit;
a PDF's page count and content-stream bytes are checked before it is parsed (`pdfcheck.py`), the
characters extracted are capped, and only the text comes back. A file over a limit is refused
with 413 (too large) or 422 (unreadable) in seconds; the server's memory does not move.

OCR (scanned PDF pages, images) is bounded by pages (`ocr_pages`): the child tells the parent how
many pages it will read before it starts, and the parent allows `ocr_page_seconds` more for each.
"""

from __future__ import annotations

import io
import logging
import multiprocessing as mp
import resource
import time
import zipfile
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from assistant.errors import AssistantError, UnreadableDocument, UploadTooLarge
from assistant.ingest import ocr
from assistant.ingest.loaders import LoadedText, load_bytes, sniff
from assistant.ingest.pdfcheck import check_pdf

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    seconds: float = 20.0  # wall time of the child
    memory_bytes: int = 1536 * 1024 * 1024  # the child's address space
    zip_members: int = 2000
    zip_uncompressed_bytes: int = 100 * 1024 * 1024
    zip_ratio: float = 200.0  # uncompressed / compressed, per member
    pdf_pages: int = 1000
    pdf_content_bytes: int = 64 * 1024 * 1024  # a PDF's page content streams, inflated, in all
    characters: int = 2_000_000
    ocr_pages: int = 100  # pages of one file read by OCR
    ocr_page_seconds: float = 30.0  # more wall time allowed per page read by OCR
    ocr_memory_bytes: int = 3 * 1024 * 1024 * 1024  # the child's address space once OCR begins (onnxruntime)

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        return cls(pdf_pages=settings.pdf_max_pages, pdf_content_bytes=settings.pdf_max_content_bytes,
                   ocr_pages=settings.ocr_max_pages, ocr_page_seconds=settings.ocr_page_seconds)


def check_zip(name: str, data: bytes, limits: Limits) -> None:
    """Refuse a zip (a .docx, an .ofd) whose directory promises too much, before anything is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableDocument(f"{name}: not a readable zip archive ({exc})", f"文件“{name}”不是可读取的文件。") from exc
    if len(members) > limits.zip_members:
        raise UnreadableDocument(f"{name}: {len(members)} parts inside, more than {limits.zip_members}",
                                 f"文件“{name}”内部结构异常（部件过多）。")
    total = sum(m.file_size for m in members)
    if total > limits.zip_uncompressed_bytes:
        raise UploadTooLarge(f"{name}: {total} bytes once unpacked, more than {limits.zip_uncompressed_bytes}",
                             f"文件“{name}”解压后过大（超过 {limits.zip_uncompressed_bytes // (1024 * 1024)} MB）。",
                             limit=limits.zip_uncompressed_bytes)
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > limits.zip_ratio * max(m.compress_size, 1):
            raise UploadTooLarge(f"{name}: part {m.filename} inflates {m.file_size / max(m.compress_size, 1):.0f}"
                                 f" times, more than {limits.zip_ratio:.0f}",
                                 f"文件“{name}”压缩比异常（疑似压缩炸弹），已拒绝。")


def _child(name: str, data: bytes, limits: Limits, out: Connection) -> None:
    def ocr_begins(pages: int) -> None:
        """Tell the parent (which allows more time), and allow the OCR engine its memory."""
        out.send(("ocr", pages))
        resource.setrlimit(resource.RLIMIT_AS, (limits.ocr_memory_bytes, hard))

    try:
        # The parsers run under the soft limit; only OCR, once its pages are counted, may go past it.
        hard = max(limits.memory_bytes, limits.ocr_memory_bytes)
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, hard))
        if sniff(data) == "pdf":
            check_pdf(name, data, limits.pdf_pages, limits.pdf_content_bytes)
        ocr.budget.set(ocr.Budget(limits.ocr_pages, ocr_begins))
        loaded = load_bytes(name, data)
        if len(loaded.text) > limits.characters:
            raise UploadTooLarge(f"{name}: {len(loaded.text)} characters of text, more than {limits.characters}",
                                 f"文件“{name}”文字过多（超过 {limits.characters} 字）。", limit=limits.characters)
        out.send(("ok", loaded))
    except AssistantError as exc:
        out.send(("error", (type(exc).__name__, exc.message, exc.message_zh, exc.details)))
    except MemoryError:
        out.send(("error", ("UploadTooLarge", f"{name}: reading it needs more than "
                            f"{limits.memory_bytes // (1024 * 1024)} MB of memory",
                            f"文件“{name}”读取所需内存过大，已拒绝。", None)))
    except Exception as exc:  # a damaged file: whatever the library raised
        out.send(("error", ("UnreadableDocument", f"{name}: cannot be read ({type(exc).__name__}: {exc})"[:500],
                            f"文件“{name}”已损坏或无法读取。", None)))
    finally:
        out.close()


_KINDS: dict[str, type[AssistantError]] = {"UploadTooLarge": UploadTooLarge, "UnreadableDocument": UnreadableDocument}


def load_untrusted(name: str, data: bytes, limits: Limits | None = None) -> LoadedText:
    """`load_bytes` for a file nobody vetted: in a child process, within `limits`."""
    limits = limits or Limits()
    if sniff(data) in ("docx", "xlsx", "ofd"):
        check_zip(name, data, limits)
    receive, send = mp.get_context("spawn").Pipe(duplex=False)
    child = mp.get_context("spawn").Process(target=_child, args=(name, data, limits, send), daemon=True)
    child.start()
    send.close()
    allowed = limits.seconds
    deadline = time.monotonic() + allowed
    try:
        while True:
            if not receive.poll(max(deadline - time.monotonic(), 0)):
                raise UnreadableDocument(f"{name}: reading it took longer than {allowed:.0f} s",
                                         f"文件“{name}”读取超时（超过 {allowed:.0f} 秒），已拒绝。")
            status, payload = receive.recv()
            if status != "ocr":
                break
            allowed += payload * limits.ocr_page_seconds  # OCR of `payload` pages begins
            deadline += payload * limits.ocr_page_seconds
    except EOFError as exc:  # the child died: killed for memory, or crashed
        raise UploadTooLarge(f"{name}: reading it exceeded the limits (the reader stopped)",
                             f"文件“{name}”读取超出限制，已拒绝。") from exc
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()
    if status == "ok":
        loaded: LoadedText = payload
        return loaded
    kind, message, message_zh, details = payload
    error: Any = _KINDS.get(kind, UnreadableDocument)
    log.info("refused %s: %s", name, message)
    raise error(message, message_zh, **(details or {}))

"""Reading an untrusted file (an upload, `assistant add`) in a child process with limits.

Before the child starts, a Word file's zip directory is checked: member count, total uncompressed
size and each member's compression ratio, so a zip bomb is refused without inflating anything.
The child then extracts the text under a memory cap (RLIMIT_AS) and a wall-time limit, a PDF's
page count and the characters extracted are capped, and only the text comes back. A file over a
limit is refused with 413 (too large) or 422 (unreadable) in seconds; the server's memory does
not move.
"""

from __future__ import annotations

import io
import logging
import multiprocessing as mp
import resource
import zipfile
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from assistant.errors import AssistantError, UnreadableDocument, UploadTooLarge
from assistant.ingest.loaders import LoadedText, load_bytes, sniff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    seconds: float = 20.0  # wall time of the child
    memory_bytes: int = 1536 * 1024 * 1024  # the child's address space
    zip_members: int = 2000
    zip_uncompressed_bytes: int = 100 * 1024 * 1024
    zip_ratio: float = 200.0  # uncompressed / compressed, per member
    pdf_pages: int = 1000
    characters: int = 2_000_000


def check_zip(name: str, data: bytes, limits: Limits) -> None:
    """Refuse a zip (a .docx) whose directory promises too much, before anything is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableDocument(f"{name}: not a readable Word file ({exc})", f"文件“{name}”不是可读取的 Word 文件。") from exc
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
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        if sniff(data) == "pdf":
            import pdfplumber

            with pdfplumber.open(io.BytesIO(data)) as pdf:
                if len(pdf.pages) > limits.pdf_pages:
                    raise UploadTooLarge(f"{name}: {len(pdf.pages)} pages, more than {limits.pdf_pages}",
                                         f"文件“{name}”页数过多（超过 {limits.pdf_pages} 页）。",
                                         limit=limits.pdf_pages)
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
    if sniff(data) == "docx":
        check_zip(name, data, limits)
    receive, send = mp.get_context("spawn").Pipe(duplex=False)
    child = mp.get_context("spawn").Process(target=_child, args=(name, data, limits, send), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(limits.seconds):
            raise UnreadableDocument(f"{name}: reading it took longer than {limits.seconds:.0f} s",
                                     f"文件“{name}”读取超时（超过 {limits.seconds:.0f} 秒），已拒绝。")
        status, payload = receive.recv()
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

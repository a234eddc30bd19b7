"""The page's Blocks, with one check before Gradio touches a function's files.

Gradio moves every file argument into its cache before the function runs: it copies a file
already uploaded, and it downloads a URL (without a size limit). So, before that, whatever route
calls the function (`/gradio_api/queue/join`, `/gradio_api/run/…`, `/gradio_api/call/…`):

- a file argument that names a URL (http, https, data:) is refused with a clear error, one log
  line and no traceback; nothing is written;
- a function that takes the admin token gets its files only when the token is right (a cheap
  comparison, nothing counted): otherwise its file arguments are dropped, and the function itself
  then refuses the token (counting it against the address, web/limits.py) with nothing on disk.
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from web.limits import Limits
from web.ui.handlers import is_url

log = logging.getLogger(__name__)

URL_REFUSED = "只能上传本机文件，不接受网址（http、https、data:）。/ Files only: a URL is not accepted as a file."


def names_a_url(value: Any, file: bool) -> bool:
    """Whether an argument as sent holds a file whose path names a URL (what Gradio would fetch):
    anywhere, a FileData dict; in a file argument, also any dict or a bare string. (A file's `url`
    is where the page shows it, this server's own /gradio_api/file=…; Gradio reads only `path`.)"""
    if isinstance(value, dict):
        marked = isinstance(value.get("meta"), dict) and value["meta"].get("_type") == "gradio.FileData"
        if (file or marked) and is_url(value.get("path")):
            return True
        return any(names_a_url(v, file) for v in value.values() if isinstance(v, dict | list))
    if isinstance(value, list):
        return any(names_a_url(v, file) for v in value)
    return file and is_url(value)


class GuardedBlocks(gr.Blocks):
    """`gr.Blocks` whose functions never take a URL as a file, and whose admin functions take no
    file before their token is right. `admin_token` is the component the token is typed in."""

    limits: Limits | None = None
    admin_token: gr.components.Component | None = None

    async def preprocess_data(self, block_fn: Any, inputs: list[Any], state: Any,
                              explicit_call: bool = False) -> list[Any]:
        files = [i for i, block in enumerate(block_fn.inputs) if isinstance(block, gr.File)]
        if any(names_a_url(value, i in files) for i, value in enumerate(inputs)):
            log.info("page function %s refused: a URL given as a file", block_fn.name)
            raise gr.Error(URL_REFUSED, print_exception=False)
        if files and self.admin_token is not None and self.limits is not None:
            at = next((i for i, block in enumerate(block_fn.inputs) if block is self.admin_token), None)
            if at is not None and not self.limits.token_ok(inputs[at] if at < len(inputs) else None):
                inputs = [None if i in files else value for i, value in enumerate(inputs)]
        result: list[Any] = await super().preprocess_data(block_fn, inputs, state, explicit_call)
        return result

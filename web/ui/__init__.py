"""The Gradio page: `layout` builds the Blocks and wires its events to `handlers`, which call the
service; `render` turns an answered turn into the page's HTML and Markdown."""

import os

# before any module of this package imports gradio
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

"""Markdown pipe tables as the parser reads tables: tab-separated rows."""

from __future__ import annotations

import re

_MD_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def markdown_tables(text: str) -> str:
    """Markdown pipe tables → tab-separated rows (the parser's table form); the |---| rule goes."""
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3:
            if _MD_RULE.match(stripped):
                continue
            out.append("\t".join(cell.strip() for cell in stripped[1:-1].split("|")))
        else:
            out.append(line)
    return "\n".join(out) + "\n"

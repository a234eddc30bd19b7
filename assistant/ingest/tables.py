"""Tab-separated tables → clauses, keeping the columns as fields.

Two shapes occur. A *measure table* (a column named …措施…, the Xi'an task-division table) gives
one clause per measure; the columns left of it (section, 省部署任务) are inherited from the row
above when empty, the columns right of it (牵头单位, 责任单位, 完成时限) become fields. A *list
table* (keyed by 序号, the 一件事 annexes) gives one clause per numbered entry; the rows below an
entry with an empty 序号 belong to it.
"""

from __future__ import annotations

import re

from assistant.ingest.clauses import ClauseBuilder
from assistant.lexicon.text import SourceLine, clean_markup, heading_label, heading_rank, strip_label

_HEADER_NOTE = re.compile(r"\s*[（(].*$")


def _column_name(cell: str) -> str:
    return _HEADER_NOTE.sub("", cell).strip() or cell.strip()


def looks_like_header(cells: list[str]) -> bool:
    """A table's first row names its columns: every cell short, filled, with no digits or sentences."""
    return len(cells) >= 2 and all(0 < len(c) <= 12 and not re.search(r"[\d。；，,;]", c) for c in cells)


class TableParser:
    def __init__(self, builder: ClauseBuilder) -> None:
        self.builder = builder
        self.open = False
        self.caption = ""
        self.header: list[str] = []
        self.table_no = 0
        self.section = ""
        self._rows: list[list[str]] = []
        self._lines: list[int] = []
        self._page: int | None = None  # the page the entry starts on (PDF tables)
        self._last: list[str] = []
        self._outer: tuple[str, ...] = ()
        self._item_cols: dict[int, int] = {}  # first filled column of continuation rows → count

    @property
    def key_col(self) -> int:
        for i, name in enumerate(self.header):
            if "措施" in name:
                return i
        for i, name in enumerate(self.header):
            if "序号" in name:
                return i
        return 0

    @property
    def measures(self) -> bool:
        return any("措施" in name for name in self.header)

    def feed(self, line: SourceLine, outer: tuple[str, ...]) -> None:
        cells = [clean_markup(c).strip() for c in line.text.split("\t")]
        filled = [c for c in cells if c]
        if not filled:
            return
        self._outer = outer
        if (any(c == "序号" for c in cells) and len(filled) >= 3) or (not self.header and looks_like_header(cells)):
            header = [_column_name(c) for c in cells]
            if header != self.header:
                self._flush()
                self.header = header
                self.table_no += 1
                self._last = []
            self.open = True
            return
        self.open = True
        if not self.header:
            self.header = [f"列{i + 1}" for i in range(len(cells))]
            self.table_no += 1
        if len(filled) == 1 and cells[0] and heading_rank(cells[0]) == 1:
            self._flush()
            self.section = cells[0]
            self._last = []
            return
        key = self.key_col
        if not self.measures:
            cells = self._repair(cells, key)
        if key < len(cells) and cells[key]:
            self._flush()
            row = list(cells)
            for i in range(min(key, len(row))):
                if not row[i] and i < len(self._last):
                    row[i] = self._last[i]
            self._last = row
            self._rows = [row]
            self._lines = [line.number]
            self._page = line.page
        else:
            first = next((i for i, c in enumerate(cells) if c), 0)
            if first > 0:
                self._item_cols[first] = self._item_cols.get(first, 0) + 1
            if not self._rows:
                self._rows = [list(cells)]
                self._page = line.page
            else:
                self._rows.append(list(cells))
            self._lines.append(line.number)

    def _repair(self, cells: list[str], key: int) -> list[str]:
        """Rows a PDF-to-text conversion shifted (list tables keyed by a 序号 column):
        - one column to the right: the 序号 cell holds a word and the next cell the number;
        - a continuation row whose item stands in the first column while the other continuation
          rows start at a later item column: its filled cells, in order, go from that column on
          ("检查\t\t\t市消防救援支队\t" → 具体事项 检查, 责任单位 市消防救援支队)."""
        if (key + 1 < len(cells) and cells[key] and not re.fullmatch(r"\d+", cells[key])
                and re.fullmatch(r"\d+", cells[key + 1]) and not cells[0]):
            return cells[1:] + [""]
        if cells and cells[0] and not (key < len(cells) and cells[key]) and self._item_cols:
            item = max(self._item_cols, key=lambda c: self._item_cols[c])
            filled = [c for c in cells if c]
            if key < item < len(cells) and not any(cells[1:item]) and len(filled) <= len(cells) - item:
                return [""] * item + filled + [""] * (len(cells) - item - len(filled))
        return cells

    def close(self) -> None:
        self._flush()
        self.open = False
        self.header = []
        self.caption = ""
        self.section = ""
        self._last = []
        self._item_cols = {}

    def _name(self, i: int) -> str:
        return self.header[i] if i < len(self.header) else f"列{i + 1}"

    def _flush(self) -> None:
        if not self._rows:
            return
        rows, lines = self._rows, (self._lines[0], self._lines[-1])
        self._rows, self._lines = [], []
        first = rows[0]
        key = self.key_col
        named = [(self._name(i), c) for i, c in enumerate(first)]
        if self.measures:
            measure = first[key] if key < len(first) else ""
            extra = [c for row in rows[1:] for c in row if c]
            fields = tuple((n, c) for i, (n, c) in enumerate(named) if i > key and c)
            text = "\n".join([measure, *extra] + [f"{n}：{c}" for n, c in fields if n != "备注" or c])
            path = "".join(heading_label(c) for c in first[: key + 1] if heading_label(c))
            context = tuple(strip_label(c) for c in first[:key] if c)
            headings = self._outer + ((strip_label(self.section),) if self.section else ()) + context
        else:
            number = first[key] if key < len(first) else ""
            fields = tuple((n, c) for i, (n, c) in enumerate(named) if i != key and c)
            # Each row reads with its column names ("承诺时限：3个工作日"); a continuation row of
            # the entry is written the same way under the header's names.
            text = "\n".join("；".join(f"{self._name(i)}：{c}" for i, c in enumerate(row) if c and i != key)
                              for row in rows)
            path = f"附表{self.table_no}-{number}"
            headings = self._outer + ((self.caption,) if self.caption else ())
        self.builder.add(path, headings, text, [], fields=fields, lines=lines, page=self._page)

"""The word lists of `patterns.toml`, loaded once, and the patterns shared by several modules."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

_PATH = Path(__file__).with_name("patterns.toml")


@cache
def _data() -> dict[str, Any]:
    return tomllib.loads(_PATH.read_text(encoding="utf-8"))


@cache
def words(section: str, key: str) -> tuple[str, ...]:
    """One list of `patterns.toml`, e.g. words("field_line", "names")."""
    try:
        values = _data()[section][key]
    except KeyError:
        raise KeyError(f"patterns.toml has no list [{section}] {key}") from None
    return tuple(str(v) for v in values)


@cache
def table(section: str, key: str) -> dict[str, Any]:
    """One table of `patterns.toml` in file order, e.g. table("time", "unit_names"); {} when absent."""
    value = _data().get(section, {}).get(key, {})
    if not isinstance(value, dict):
        raise KeyError(f"patterns.toml: [{section}] {key} is not a table")
    return dict(value)


def alternation(items: tuple[str, ...] | list[str]) -> str:
    """Words as the alternatives of a regex, in their order: ("个", "家") → "个|家"."""
    return "|".join(re.escape(w) for w in items)


def _one_of(items: list[str]) -> str:
    """Alternatives where each run of single characters is one class: 日 年 全会 → "[日年]|全会"."""
    parts: list[str] = []
    run: list[str] = []
    for w in [*items, ""]:
        if len(w) == 1:
            run.append(re.escape(w))
            continue
        if run:
            parts.append(f"[{''.join(run)}]" if len(run) > 1 else run[0])
            run = []
        if w:
            parts.append(re.escape(w))
    return "|".join(parts)


def guarded(section: str, key: str) -> str:
    """The words of [section] key as regex alternatives, each with its guards: "(?<!所)需(?!求)".
    [section.not_after] / [section.not_before] give the words a match must not follow / precede;
    [section] spaced_guards the words whose not_before words cancel them across spaces too."""
    not_after, not_before = table(section, "not_after"), table(section, "not_before")
    spaced = set(_data()[section].get("spaced_guards", ()))
    parts = []
    for w in words(section, key):
        part = re.escape(w)
        if w in not_after:
            part = f"(?<!{_one_of(not_after[w])})" + part
        if w in spaced:
            part += rf"(?!\s*(?:{_one_of(not_before[w])}))"
        elif w in not_before:
            part += f"(?!{_one_of(not_before[w])})"
        parts.append(part)
    return "|".join(parts)


def field_name_group(*, variants: bool = False) -> str:
    """The names of an item's own lines as one capturing group: "(牵头单位|责任单位|配合单位|完成时限)";
    with `variants`, the further spellings too ("完成时间")."""
    names = words("field_line", "names") + (words("field_line", "variants") if variants else ())
    return f"({alternation(names)})"


def doc_number_group(*, loose: bool) -> str:
    """A 文号 ("市政办函〔2024〕60号") as one capturing group. Strict: as printed, 〔〕 around a
    20xx year, any number; loose: any bracket of `patterns.toml`, a 19xx or 20xx year, 1-4 digits."""
    opens, closes = words("doc_number", "open"), words("doc_number", "close")
    if loose:
        brackets = f"[{''.join(map(re.escape, opens))}]", f"[{''.join(map(re.escape, closes))}]"
        year, number = r"(?:19|20)\d\d", r"\d{1,4}"
    else:
        brackets, year, number = (opens[0], closes[0]), r"20\d\d", r"\d+"
    return rf"([\u4e00-\u9fff]{{1,12}}\s*{brackets[0]}\s*{year}\s*{brackets[1]}\s*{number}\s*号)"


def web_boilerplate() -> re.Pattern[str]:
    """Page furniture of `patterns.toml` [web] as one pattern: its phrases (spaces and brackets
    around them allowed: "【 打印本页】") and credit lines with the name after them."""
    return _web_patterns()[0]


def web_tail() -> re.Pattern[str]:
    """The [web] tail markers, each at a word start: the related-articles list that closes a page."""
    return _web_patterns()[1]


@cache
def _web_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    def spaced(word: str) -> str:
        return r"\s*".join(re.escape(ch) for ch in word if not ch.isspace())

    phrases = "|".join(spaced(w) for w in words("web", "boilerplate"))
    credits = alternation(words("web", "credits"))
    boilerplate = re.compile(
        rf"[\[【(（]?\s*(?:{phrases})\s*[\]】)）]?"
        rf"|[\[【(（]\s*(?:{credits})\s*[：:][^\]】)）\n]{{0,20}}[\]】)）]"
        rf"|(?<![\u4e00-\u9fff])(?:{credits})\s*[：:]\s*[\u4e00-\u9fff·]{{0,6}}(?![\u4e00-\u9fff])"
    )
    tail = re.compile(rf"(?:[\[【]\s*)?(?:{alternation(words('web', 'tail'))})")
    return boilerplate, tail

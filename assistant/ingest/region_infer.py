"""The region a new document applies to, read from what it says of itself: its issuer, its title
and its 文号, then the opening and the signature of its text.

- the issuer (北京市人民政府办公厅 → 北京, 通州区人力资源和社会保障局 → 通州区 of the city the text
  names) or a nationwide issuer (国务院, 财政部, 国家邮政局 → 全国);
- the 文号's prefix: a province's abbreviation (京政办发 → 北京, 陕政发 → 陕西) or the State
  Council's and the ministries' (国办发, 财税 → 全国);
- else the first place or nationwide issuer named in the opening of the text, or in its last lines
  (where the signature stands).

The words: lexicon/region_names.toml [doc_number] and [issuers]; the places: the region tree.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache

from assistant.ingest.regions import RegionTree, merged_tree
from assistant.lexicon.region_tree import NATIONAL, STOPS, admin_regions
from assistant.lexicon.text import nfkc_aligned

HEAD, TAIL = 200, 160  # characters of the opening and of the signature read
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,10})\s*[〔\[［(（【]\s*((?:19|20)\d\d)\s*[〕\]］)）】]\s*\d{1,4}\s*号")
# A news agency's dateline says where the reporter was, not where the rule applies.
_DATELINE = re.compile(r"(?:新华社|人民网|中新网|中新社|央视网|光明网|经济日报)[\u4e00-\u9fff]{2,5}\d{1,2}月\d{1,2}日电")
_ISSUER_END = re.compile(r"关于|印发|转发|公告|通知|通告|召开|发布|部署|出台|印发")


@dataclass(frozen=True)
class _Words:
    provinces: dict[str, str]
    province_marks: tuple[str, ...]
    national_numbers: tuple[str, ...]
    national_issuers: re.Pattern[str]


@cache
def _words() -> _Words:
    data = tomllib.loads(STOPS.read_text(encoding="utf-8"))
    numbers, issuers = data.get("doc_number", {}), data.get("issuers", {})
    national = sorted(issuers.get("national", ()), key=len, reverse=True)
    # 国家…局/委/部/署: an office of the State Council, whether listed or not
    pattern = "|".join([*(re.escape(w) for w in national), r"国家[\u4e00-\u9fff]{1,10}?(?:总局|局|委员会|委|部|署)",
                        r"中国[\u4e00-\u9fff]{1,6}?(?:总局|局|监会)"])
    return _Words(dict(numbers.get("provinces", {})), tuple(numbers.get("province_marks", ())),
                  tuple(sorted(numbers.get("national", ()), key=len, reverse=True)), re.compile(pattern))


def region_of_doc_number(prefix: str) -> str | None:
    """The region a 文号's prefix says: 京政办发 → 北京, 国办发 → 全国, 市政办发 → None."""
    w = _words()
    if any(prefix.startswith(n) for n in w.national_numbers):
        return NATIONAL
    province = w.provinces.get(prefix[:1])
    if province and len(prefix) >= 2 and any(prefix[1:].startswith(m) for m in w.province_marks):
        return province
    return None


@cache
def _shared_names() -> dict[str, list[tuple[str, str]]]:
    """Full names two counties share (长安区): (canonical, parent) of each."""
    out: dict[str, list[tuple[str, str]]] = {}
    for a in admin_regions():
        if a.shared:
            out.setdefault(a.full, []).append((a.name, a.parent))
    return out


def _places(text: str, tree: RegionTree, context: str) -> list[tuple[int, int, str]]:
    """(start, end, region) of the places named in `text`, longest name first at each position; a
    county name two cities share counts for the one whose city or province `context` names."""
    shared_names = _shared_names()
    lookup, lengths = _lookup(tree)
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(text):
        size = next((n for n in lengths if text[i : i + n] in lookup), 0)
        shared = next((n for n in (5, 4, 3) if text[i : i + n] in shared_names), 0) if not size else 0
        if size:
            out.append((i, i + size, lookup[text[i : i + size]]))
            i += size
        elif shared:
            fits = [name for name, parent in shared_names[text[i : i + shared]]
                    if any(_named(p, tree, context) for p in tree.ancestors(parent)[:-1])]
            if len(fits) == 1:
                out.append((i, i + shared, fits[0]))
            i += shared
        else:
            i += 1
    return out


@lru_cache(maxsize=4)
def _lookup(tree: RegionTree) -> tuple[dict[str, str], list[int]]:
    lookup = dict(tree.names)
    return lookup, sorted({len(s) for s in lookup}, reverse=True)


def _named(region: str, tree: RegionTree, text: str) -> bool:
    found = tree.region(region)
    return found is not None and any(n in text for n in (found.name, *found.aliases) if len(n) >= 2)


def _innermost(places: list[tuple[int, int, str]], tree: RegionTree) -> str:
    """Of the places an address names one after the other (北京市通州区, 上海徐汇), the innermost."""
    start, end, region = places[0]
    for next_start, next_end, inner in places[1:]:
        if next_start - end > 1 or region not in tree.ancestors(inner):
            break
        end, region = next_end, inner
    return region


# A local government issues it ("某市人民政府办公室"): whatever ministry its text names, it is not nationwide.
_LOCAL_ISSUER = re.compile(r"(?:省|市|县|区|州|盟|旗)(?:人民政府|政府|委员会|党委|人大|政协)")


def _from_words(text: str, tree: RegionTree, context: str, national_ok: bool = True) -> str | None:
    """The first place (innermost of an address) or, when `national_ok`, nationwide issuer `text` names."""
    places = _places(text, tree, context)
    national = _words().national_issuers.search(text) if national_ok else None
    if national and (not places or national.start() < places[0][0]):
        return NATIONAL
    return _innermost(places, tree) if places else None


def _issuer(title: str) -> str:
    m = _ISSUER_END.search(title)
    return title[: m.start()] if m else ""


def infer_region(text: str, title: str = "", detected: str | None = None, *,
                 tree: RegionTree | None = None) -> str | None:
    """The region `text` (titled `title`, issued by `detected` where a reader found the issuer)
    applies to, as a canonical name of `tree` (the administrative tree with no corpus table by
    default); None when nothing says it."""
    tree = tree or merged_tree(())
    text = _DATELINE.sub(" ", nfkc_aligned(text))
    title = nfkc_aligned(title.strip()) or text[:80]
    context = title + text[: HEAD * 5]
    for issuer in (detected or "", _issuer(title)):
        if issuer and (found := _from_words(issuer, tree, context)):
            return found
    head = text[: HEAD + len(title)]
    for m in _DOC_NUMBER.finditer(head):  # the prefix may run on from the title's last words
        prefix = m.group(1)
        found = next((r for j in range(len(prefix)) if (r := region_of_doc_number(prefix[j:])) is not None), None)
        if found is not None:
            return found
    local = bool(_LOCAL_ISSUER.search(_issuer(title) or title))
    for part in (title, text[:HEAD], text[-TAIL:]):
        if found := _from_words(part, tree, context, national_ok=not local):
            return found
    return None

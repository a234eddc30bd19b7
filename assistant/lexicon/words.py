"""The assistant's Chinese words as data: `words.toml`, read once per process.

`words()` is the one reader. The modules that use a list build their regular expressions from it
with `either()` (words, matched literally), `one_of()` (characters) and `fragments()` (pattern
lists, regular-expression fragments as written in the file).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("words.toml")


@dataclass(frozen=True)
class Words:
    # [ask]
    procedure: tuple[str, ...]
    deadline_within_time_limit: tuple[str, ...]
    containers: tuple[str, ...]
    container_asks: tuple[str, ...]
    lead_asked: tuple[str, ...]
    cap_asked: tuple[str, ...]
    periodic_asked: tuple[str, ...]
    each_asked: tuple[str, ...]
    recipient_asked: tuple[str, ...]
    recipient_said: tuple[str, ...]
    cap_said: tuple[str, ...]
    ask_labels: dict[str, str]
    ask_cues: tuple[tuple[str, tuple[str, ...]], ...]  # (ask type, pattern list), in file order
    ask_cue_tails: dict[str, tuple[str, ...]]
    ask_objects: dict[str, tuple[str, ...]]  # ask type → what it asks for (小时), never the subject
    ask_strict: dict[str, tuple[str, ...]]  # ask type → cue patterns that take that type only
    ask_units: dict[str, str]  # a question's unit word → the unit as documents write it
    # [fillers]
    query_fillers: tuple[str, ...]
    # [follow_up]
    lead: tuple[str, ...]
    conditional: tuple[str, ...]
    tail_particles: tuple[str, ...]
    elliptical: tuple[str, ...]
    anaphora: tuple[str, ...]
    asking_words: tuple[str, ...]
    # [regions]
    region_suffixes: tuple[str, ...]
    region_name_tails: tuple[str, ...]
    # [said]
    relay_speakers: tuple[str, ...]
    relay_adverbs: tuple[str, ...]
    relay_verbs: tuple[str, ...]
    relay_not_before: tuple[str, ...]
    small_talk: tuple[tuple[str, tuple[str, ...]], ...]  # (reply name, words)
    small_talk_fillers: tuple[str, ...]
    homophone_max_changes: int
    # [terms]
    modal_heads: tuple[str, ...]
    function_pos: tuple[str, ...]
    procedure_heads: tuple[str, ...]
    # [enumeration]
    listed_before: tuple[str, ...]
    listed_after: tuple[str, ...]
    # [headings]
    heading_numbering: tuple[str, ...]
    # [departments]
    department_lead_ins: tuple[str, ...]
    department_prefixes: tuple[str, ...]
    department_suffixes: tuple[str, ...]
    department_weak_suffixes: tuple[str, ...]
    department_weak_suffix_followers: tuple[str, ...]
    department_not_before: tuple[str, ...]
    department_aside_suffixes: tuple[str, ...]
    # [units]
    every: tuple[str, ...]
    cycle: tuple[str, ...]
    cycle_acts: tuple[str, ...]
    routine_periods: tuple[str, ...]
    routines: tuple[str, ...]


def _list(section: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = section.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{PATH.name}: [{where}] {key} must be a non-empty list of non-empty strings, got {value!r}")
    return tuple(value)


def _count(section: dict[str, Any], key: str, where: str) -> int:
    value = section.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{PATH.name}: [{where}] {key} must be a positive integer, got {value!r}")
    return value


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    section = data
    for key in name.split("."):
        section = section.get(key)  # type: ignore[assignment]
        if not isinstance(section, dict):
            raise ValueError(f"{PATH.name}: no [{name}] table")
    return section


def parse(data: dict[str, Any]) -> Words:
    """The lists of a parsed words file, checked: every list present and non-empty."""
    ask, fillers, follow_up = _table(data, "ask"), _table(data, "fillers"), _table(data, "follow_up")
    regions, terms, enumeration = _table(data, "regions"), _table(data, "terms"), _table(data, "enumeration")
    headings, departments, units = (_table(data, n) for n in ("headings", "departments", "units"))
    said = _table(data, "said")
    cues, tails, labels = _table(data, "ask.cues"), _table(data, "ask.cue_tails"), _table(data, "ask.labels")
    strict, units_asked, objects = _table(data, "ask.strict"), _table(data, "ask.units"), _table(data, "ask.objects")
    return Words(
        procedure=_list(ask, "procedure", "ask"),
        deadline_within_time_limit=_list(ask, "deadline_within_time_limit", "ask"),
        containers=_list(ask, "containers", "ask"),
        container_asks=_list(ask, "container_asks", "ask"),
        lead_asked=_list(ask, "lead_asked", "ask"),
        cap_asked=_list(ask, "cap_asked", "ask"),
        periodic_asked=_list(ask, "periodic_asked", "ask"),
        each_asked=_list(ask, "each_asked", "ask"),
        recipient_asked=_list(ask, "recipient_asked", "ask"),
        recipient_said=_list(ask, "recipient_said", "ask"),
        cap_said=_list(ask, "cap_said", "ask"),
        ask_labels={str(k): str(v) for k, v in labels.items()},
        ask_cues=tuple((kind, _list(cues, kind, "ask.cues")) for kind in cues),
        ask_cue_tails={kind: _list(tails, kind, "ask.cue_tails") for kind in tails},
        ask_objects={kind: _list(objects, kind, "ask.objects") for kind in objects},
        ask_strict={kind: _list(strict, kind, "ask.strict") for kind in strict},
        ask_units={str(k): str(v) for k, v in units_asked.items()},
        query_fillers=_list(fillers, "query", "fillers"),
        lead=_list(follow_up, "lead", "follow_up"),
        conditional=_list(follow_up, "conditional", "follow_up"),
        tail_particles=_list(follow_up, "tail_particles", "follow_up"),
        elliptical=_list(follow_up, "elliptical", "follow_up"),
        anaphora=_list(follow_up, "anaphora", "follow_up"),
        asking_words=_list(follow_up, "asking_words", "follow_up"),
        relay_speakers=_list(said, "relay_speakers", "said"),
        relay_adverbs=_list(said, "relay_adverbs", "said"),
        relay_verbs=_list(said, "relay_verbs", "said"),
        relay_not_before=_list(said, "relay_not_before", "said"),
        small_talk=tuple((kind, _list(said, kind, "said")) for kind in ("thanks", "greeting", "farewell", "chat")),
        small_talk_fillers=_list(said, "small_talk_fillers", "said"),
        homophone_max_changes=_count(said, "homophone_max_changes", "said"),
        region_suffixes=_list(regions, "suffixes", "regions"),
        region_name_tails=_list(regions, "name_tails", "regions"),
        modal_heads=_list(terms, "modal_heads", "terms"),
        function_pos=_list(terms, "function_pos", "terms"),
        procedure_heads=_list(terms, "procedure_heads", "terms"),
        listed_before=_list(enumeration, "before", "enumeration"),
        listed_after=_list(enumeration, "after", "enumeration"),
        heading_numbering=_list(headings, "numbering", "headings"),
        department_lead_ins=_list(departments, "lead_ins", "departments"),
        department_prefixes=_list(departments, "prefixes", "departments"),
        department_suffixes=_list(departments, "suffixes", "departments"),
        department_weak_suffixes=_list(departments, "weak_suffixes", "departments"),
        department_weak_suffix_followers=_list(departments, "weak_suffix_followers", "departments"),
        department_not_before=_list(departments, "not_before", "departments"),
        department_aside_suffixes=_list(departments, "aside_suffixes", "departments"),
        every=_list(units, "every", "units"),
        cycle=_list(units, "cycle", "units"),
        cycle_acts=_list(units, "cycle_acts", "units"),
        routine_periods=_list(units, "routine_periods", "units"),
        routines=_list(units, "routines", "units"),
    )


@cache
def words() -> Words:
    """The words file of this package, read and checked once per process."""
    with PATH.open("rb") as f:
        return parse(tomllib.load(f))


def either(items: tuple[str, ...]) -> str:
    """A regular-expression alternation of words, matched literally, tried in the order given."""
    return "|".join(re.escape(w) for w in items)


def fragments(items: tuple[str, ...]) -> str:
    """A regular-expression alternation of pattern-list fragments, tried in the order given."""
    return "|".join(items)


def one_of(chars: tuple[str, ...]) -> str:
    """A character class of one-character words."""
    if any(len(c) != 1 for c in chars):
        raise ValueError(f"{PATH.name}: a character class takes single characters, got {chars!r}")
    return "[" + "".join(re.escape(c) for c in chars) + "]"

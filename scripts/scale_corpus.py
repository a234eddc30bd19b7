"""A scale corpus: policy documents made from the real corpus, and questions whose answer is known.

Deterministic (seeded). Each generated document is a real document of `corpus/` moved to a
generated district (a new region under a real city), with its numbers changed, its years shifted,
its lead units drawn from the corpus's own departments and, for some, its indicator swapped for
another of the 22 (consistently in the title and the text). It is written as a plain text file
with a `[[source]]` entry, so the normal loaders and `assistant build` read it; the districts go
into `[regions]`. Alongside, `questions.jsonl` holds one question per generated document in the
gold form `assistant eval --gold` reads: the question names the district and asks for a fact of
one clause (its time limit, deadline, amount or lead unit); the evidence is that clause's sentence.

    python scripts/scale_corpus.py --clauses 10000 --out /tmp/scale-1e4
    ASSISTANT_CORPUS_DIR=/tmp/scale-1e4/corpus ASSISTANT_INDEX_DIR=/tmp/scale-1e4/index assistant build
    ASSISTANT_CORPUS_DIR=… ASSISTANT_INDEX_DIR=… assistant eval --gold /tmp/scale-1e4/questions.jsonl

Nothing it writes is committed; only this generator is.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.ingest.corpus import load_corpus  # noqa: E402
from assistant.ingest.facts import extract_facts, extract_fields  # noqa: E402
from assistant.lexicon.text import strip_label  # noqa: E402
from assistant.models import Clause, Document  # noqa: E402

log = logging.getLogger("scale_corpus")

INDICATORS = ("开办企业", "办理建筑许可", "获得电力", "获得用水用气", "登记财产", "获得信贷", "保护中小投资者",
              "纳税", "跨境贸易", "执行合同", "办理破产", "劳动力市场监管", "政府采购", "招标投标",
              "政务服务", "知识产权创造保护和运用", "市场监管", "包容普惠创新", "企业注销", "获得网络",
              "市场准入", "惠企政策")
# Two characters and a suffix make a district name no real region of the corpus has.
_FIRST = "东西南北新高金银龙凤青白云华永安长乐和兴文明德泰丰宁嘉瑞康昌"
_SECOND = "川山阳河城湖林原泉坪岭溪桥塘滨港湾州平宁安台峰园"
_CITIES = ("西安", "宝鸡", "咸阳", "延安", "铜川", "渭南", "汉中", "榆林", "银川", "兰州", "天水", "成都")
ASKS = {"time_limit": "需要多长时间", "deadline": "什么时候完成", "amount": "金额是多少", "lead_unit": "由哪个部门牵头"}
# 1–3 digit counts and limits; not years, months, days, 文号 or decimals
_NUMBER = re.compile(r"(?<![〔\[\d.])(\d{1,3})(?![\d.〕\]]|\s*[年月日号])")
_YEAR = re.compile(r"(20[12]\d)(?=\s*年)")
_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")


@dataclass(frozen=True)
class Generated:
    spec: dict[str, str]
    text: str
    clauses: int
    question: dict[str, object] | None


def districts(count: int, taken: set[str]) -> list[tuple[str, str]]:
    """Up to `count` (district, its city) pairs: 东川区 under 西安 …, never a name the corpus has."""
    names = [a + b + suffix for suffix in ("区", "县", "新区", "新城") for a in _FIRST for b in _SECOND
             if a != b and a + b + suffix not in taken]
    return [(name, _CITIES[k % len(_CITIES)]) for k, name in enumerate(names[:count])]


def _renumber(text: str, rng: random.Random) -> str:
    """Every small number moved (1→3, 45→52 …), years and 文号 left alone."""
    def move(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return str(n + rng.randint(1, max(2, n // 3 + 1)))
    return _NUMBER.sub(move, text)


def _shift_years(text: str, years: int) -> str:
    return _YEAR.sub(lambda m: str(int(m.group(1)) + years), text)


def _lead_line(text: str, units: list[str], rng: random.Random) -> str:
    return re.sub(r"(牵头单位[:：]\s*)([^\n；;]+)", lambda m: m.group(1) + rng.choice(units), text)


def clause_lines(clauses: list[Clause]) -> tuple[list[str], int]:
    """The document body: one numbered item per clause, its own lines (牵头单位 …) after it;
    and how many items (each parses back into one clause)."""
    lines: list[str] = []
    items = 0
    for clause in clauses:
        body = strip_label(clause.text).strip()
        if not body:
            continue
        items += 1
        first, *rest = body.split("\n")
        lines.append(f"{items}. {first}")
        lines += [line for line in rest if line.strip()]
    return lines, items


def make_document(n: int, template: Document, clauses: list[Clause], district: str,
                  aliases: dict[str, tuple[str, ...]], units: list[str], rng: random.Random) -> Generated:
    years = rng.randint(0, 3)
    swap = rng.random() < 0.3 and template.topic and template.topic in INDICATORS
    topic = rng.choice([i for i in INDICATORS if i != template.topic]) if swap else template.topic

    names = sorted({template.region, *aliases.get(template.region, ())}, key=len, reverse=True)

    def move(text: str) -> str:
        for name in names:  # 西安市 before 西安
            text = text.replace(name, district)
        if swap:
            text = text.replace(template.topic, topic)
        return _lead_line(_shift_years(_renumber(text, rng), years), units, rng)

    title = move(template.title)
    if district not in title:
        title = f"{district}{title}"
    lines, items = clause_lines(clauses)
    body = [move(line) for line in lines]
    text = "\n".join([title, *body]) + "\n"
    year = int((template.date or "2023")[:4]) + years
    spec = {"file": f"scale_{n:06d}.txt", "id": f"sc{n:06d}", "title": title, "issuer": f"{district}人民政府",
            "doc_number": f"{district[:2]}政发〔{year}〕{n % 97 + 1}号", "date": f"{year}{(template.date or '2023-01-01')[4:]}",
            "region": district, "layout": "text"}
    return Generated(spec, text, items + 1, _question(body, district, spec["date"], rng))  # and the title


def _question(body: list[str], district: str, date: str, rng: random.Random) -> dict[str, object] | None:
    """One question about a fact of one line of the document, or None when no line states one."""
    order = list(range(len(body)))
    rng.shuffle(order)
    for i in order:
        line = strip_label(body[i])
        if "印发" in line or "通知" in line:  # a covering notice, not a measure
            continue
        facts = [f for f in extract_facts(line, extract_fields(line), date) if f.type in ASKS and f.start >= 0
                 and (f.type != "deadline" or "前" in f.value or "底" in f.value)]
        for fact in facts:
            sentence = next((m for m in _SENTENCE.finditer(line) if m.start() <= fact.start < m.end()), None)
            if sentence is None:
                continue
            stem = _stem(line[sentence.start():fact.start])
            if len(stem) < 6 or re.search(r"\d", stem):  # a date or a number would be read as part of the answer
                continue
            return {"question": f"{district}{stem}{ASKS[fact.type]}？", "kind": fact.type,
                    "evidence": sentence.group().strip(), "answer_keys": [fact.value], "persona": "generated",
                    "source": "", "line": i + 2}
    return None


def _stem(before: str, size: int = 24) -> str:
    """What the question asks about: the comma-separated stretches just before the fact, whole."""
    pieces = [p for p in re.split(r"[，,、：:]", re.sub(r"[“”\"（）()]", "", before)) if p.strip()]
    stem = ""
    while pieces and (len(stem) < 6 or len(stem) + len(pieces[-1]) <= size):
        stem = pieces.pop().strip() + ("，" + stem if stem else "")
    return stem


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def generate(clauses_wanted: int, out: Path, seed: int = 7, corpus_dir: Path = ROOT / "corpus") -> dict[str, int]:
    from tqdm import tqdm

    real = load_corpus(corpus_dir)
    by_doc: dict[str, list[Clause]] = {}
    for clause in real.clauses:
        by_doc.setdefault(clause.doc_id, []).append(clause)
    templates = [d for d in real.documents.values() if len(by_doc.get(d.id, ())) >= 3 and d.region]
    units = sorted({f.value for c in real.clauses for f in c.facts if f.type == "lead_unit" and len(f.value) <= 12})
    rng = random.Random(seed)
    mean = sum(len(by_doc[d.id]) for d in templates) / len(templates)
    taken = {r.name for r in real.manifest.regions} | {a for r in real.manifest.regions for a in r.aliases}
    # about four documents a district, never two from the same template (their questions would be one)
    places = districts(max(1, int(clauses_wanted / mean / 4) + 1), taken)
    used: dict[str, set[str]] = {}
    aliases = {r.name: r.aliases for r in real.manifest.regions}

    target = out / "corpus"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in ("glossary.toml", "concepts.toml", "domain_dict.txt", "departments.toml"):
        if (corpus_dir / name).is_file():
            shutil.copyfile(corpus_dir / name, target / name)
    made = n = 0
    specs: list[dict[str, str]] = []
    with (out / "questions.jsonl").open("w", encoding="utf-8") as questions, \
            tqdm(total=clauses_wanted, desc="generate", unit="clause", disable=not sys.stderr.isatty()) as bar:
        while made < clauses_wanted:
            district, _city = places[n % len(places)]
            fresh = [t for t in templates if t.id not in used.setdefault(district, set())]
            if not fresh:
                raise SystemExit(f"{clauses_wanted} clauses need more districts than can be named")
            template = rng.choice(fresh)
            used[district].add(template.id)
            doc = make_document(n, template, by_doc[template.id], district, aliases, units, rng)
            (target / doc.spec["file"]).write_text(doc.text, encoding="utf-8")
            specs.append(doc.spec)
            if doc.question:
                questions.write(json.dumps({"id": f"g{n:06d}", **doc.question, "source": doc.spec["file"]},
                                           ensure_ascii=False) + "\n")
            made += doc.clauses
            bar.update(doc.clauses)
            n += 1
    with (target / "documents.toml").open("w", encoding="utf-8") as fh:
        fh.write("# Generated by scripts/scale_corpus.py: real documents moved to generated districts.\n\n")
        for spec in specs:
            fh.write("[[source]]\n" + "".join(f"{k} = {toml_string(v)}\n" for k, v in spec.items()) + "\n")
        fh.write("[regions]\n")
        for region in real.manifest.regions:
            fh.write(f"{toml_string(region.name)} = {{ parent = {toml_string(region.parent)}, "
                     f"aliases = {json.dumps(list(region.aliases), ensure_ascii=False)} }}\n")
        for district, city in places:
            fh.write(f"{toml_string(district)} = {{ parent = {toml_string(city)}, aliases = [] }}\n")
    log.info("wrote %d documents (%d clause items, %d districts) to %s", n, made, len(places), target)
    return {"documents": n, "clauses": made, "districts": len(places)}


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clauses", type=int, default=10_000, help="about how many clauses to generate")
    parser.add_argument("--out", type=Path, required=True, help="folder for corpus/ and questions.jsonl")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    log.info("%s", generate(args.clauses, args.out, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

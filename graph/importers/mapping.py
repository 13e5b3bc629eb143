"""Mapping of atlas segments to external product names, kept as a reviewable TSV.

Terms of a segment: its ``name`` and ``key_products`` (kind ``exact``) and its
``aliases`` (kind ``alias``), each split on ``/、,，;；·`` with parentheses removed.
A product matches a term:

* ``exact``/``alias``: equal after normalisation (NFKC, lower case, no spaces), score
  100; or equal once classification affixes are removed from both (…产品, …系列, …类,
  …业务, …分部, …板块, …销售, …收入, …等, 其他…, 自产…: 葡萄酒系列 = 葡萄酒), score 99;
* ``fuzzy``: rapidfuzz ``WRatio`` ≥ ``threshold`` among products some company makes,
  where the term has three or more characters (two-character terms such as 电池 or 应用
  match too much: exact only), the Latin/digit runs agree (the term's runs occur in the
  product; if the term is not a substring, the runs are equal — so 尼龙6 never matches
  尼龙66), and a product that is only a part of the term has three or more characters
  and covers at least 75% of it (so 锂电池 never matches 锂电池隔膜, nor 系统集成
  储能系统集成). A term with fuzzy matches to more than ``max_fuzzy`` (40) distinct
  products is generic (控制系统, 零配件): its fuzzy matches are dropped, exact ones stay.

The TSV (``seeds/mappings/ckg_products.tsv``) has one row per (segment, product) with a
``decision``: ``auto`` (use as generated), ``accept`` (reviewed: use, one grade up),
``reject`` (never use). Rows added by hand use kind ``manual``. Regenerating keeps
accept/reject decisions and manual rows.

>>> split_terms("粗苯/苯（加氢精制）")
['粗苯', '苯']
>>> match_key("ＰＡ 6")
'pa6'
>>> runs_agree("尼龙6", "尼龙66切片"), runs_agree("尼龙6", "尼龙6切片")
(False, True)
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from rapidfuzz import fuzz

from graph.errors import InvalidInput
from graph.model import Atlas

Kind = Literal["exact", "alias", "fuzzy", "manual"]
Decision = Literal["auto", "accept", "reject"]
KINDS: tuple[Kind, ...] = ("exact", "alias", "fuzzy", "manual")
DECISIONS: tuple[Decision, ...] = ("auto", "accept", "reject")
DEFAULT_THRESHOLD = 88.0
MIN_PART = 0.75
MIN_FUZZY_TERM = 3
MAX_FUZZY = 40
COLUMNS = ("segment", "segment_name", "term", "product", "kind", "score", "producers",
           "decision")
_SPLIT = re.compile(r"[/／、,，;；·]")
_PAREN = re.compile(r"[（(][^）)]*[）)]")
_RUNS = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("产品", "系列", "类", "业务", "分部", "板块", "销售", "收入", "等")
_PREFIXES = ("其他", "其它", "自产")
HEADER = """\
# ChainKnowledgeGraph product names → atlas segments (chain-atlas map-products).
# Review the decision column: auto = use as generated; accept = confirmed (grade one step up);
# reject = never use. Add rows by hand with kind=manual, decision=accept.
# Regenerating keeps accept/reject decisions and manual rows. threshold={threshold}
"""


@dataclass(frozen=True)
class Term:
    """A name a segment's products may go by."""

    segment: str
    text: str
    kind: Literal["exact", "alias"]


@dataclass(frozen=True)
class MappingRow:
    """One (segment, product) candidate with how it matched and the reviewer's decision."""

    segment: str
    term: str
    product: str
    kind: Kind
    score: float
    producers: int = 0
    decision: Decision = "auto"
    segment_name: str = ""

    @property
    def used(self) -> bool:
        """True when the import should use this row."""
        return self.decision == "accept" or (self.decision == "auto" and self.kind != "manual")


def match_key(text: str) -> str:
    """Normalised form for exact matching: NFKC, lower case, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def core_key(text: str) -> str:
    """:func:`match_key` without classification affixes (at least two characters stay).

    >>> core_key("其他葡萄酒系列"), core_key("原料药业务分部"), core_key("煤炭")
    ('葡萄酒', '原料药', '煤炭')
    """
    k = match_key(text)
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if k.endswith(suffix) and len(k) - len(suffix) >= 2:
                k, changed = k[:-len(suffix)], True
        for prefix in _PREFIXES:
            if k.startswith(prefix) and len(k) - len(prefix) >= 2:
                k, changed = k[len(prefix):], True
    return k


def split_terms(text: str) -> list[str]:
    """A name split into terms (parentheses removed, split on ``/、,，;；·``)."""
    out: list[str] = []
    for part in _SPLIT.split(_PAREN.sub("", text)):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def runs_agree(term: str, product: str) -> bool:
    """Latin/digit runs agree: the term's runs all occur in the product, and when the term
    is not a substring of the product the runs are equal."""
    return _keys_agree(match_key(term), match_key(product))


def _keys_agree(t: str, p: str) -> bool:
    rt, rp = set(_RUNS.findall(t)), set(_RUNS.findall(p))
    return rt <= rp if t in p else rt == rp


def segment_terms(atlas: Atlas) -> list[Term]:
    """Every term of every segment, in segment id order."""
    out: list[Term] = []
    for seg in sorted(atlas.segments.values(), key=lambda s: s.id):
        seen: set[str] = set()
        named = [(t, "exact") for x in (seg.name, *seg.key_products) for t in split_terms(x)]
        aliased = [(t, "alias") for x in seg.aliases for t in split_terms(x)]
        for text, kind in (*named, *aliased):
            if match_key(text) not in seen:
                seen.add(match_key(text))
                out.append(Term(seg.id, text, kind))  # type: ignore[arg-type]
    return out


class _Index:
    """Products by normalised name, and products with producers by character bigram
    (fuzzy candidates share at least half of a term's bigrams)."""

    def __init__(self, products: Iterable[str], producers: Mapping[str, int]) -> None:
        self.by_key: dict[str, list[str]] = {}
        self.by_core: dict[str, list[str]] = {}
        self.bigrams: dict[str, list[str]] = {}
        for p in products:
            k = match_key(p)
            self.by_key.setdefault(k, []).append(p)
            self.by_core.setdefault(core_key(p), []).append(p)
            if producers.get(p):
                for bg in {k[i:i + 2] for i in range(len(k) - 1)}:
                    self.bigrams.setdefault(bg, []).append(k)

    def near(self, key: str) -> list[str]:
        """Product keys sharing at least half of the bigrams of ``key``."""
        grams = {key[i:i + 2] for i in range(len(key) - 1)}
        hits: Counter[str] = Counter()
        for bg in grams:
            hits.update(self.bigrams.get(bg, ()))
        need = max(1, len(grams) // 2)
        return sorted(k for k, n in hits.items() if n >= need)


def candidates(atlas: Atlas, products: Iterable[str], producers: Mapping[str, int],
               threshold: float = DEFAULT_THRESHOLD, max_fuzzy: int = MAX_FUZZY
               ) -> list[MappingRow]:
    """Candidate rows for every segment of ``atlas`` (see module rules), best per
    (segment, product), sorted by segment, kind, score descending and product.

    ``producers`` counts the companies making each product; fuzzy candidates are drawn
    only from products with producers."""
    index = _Index(products, producers)
    best: dict[tuple[str, str], MappingRow] = {}

    def offer(row: MappingRow) -> None:
        key = (row.segment, row.product)
        old = best.get(key)
        if old is None or (KINDS.index(row.kind), -row.score) < (KINDS.index(old.kind),
                                                                  -old.score):
            best[key] = row

    for term in segment_terms(atlas):
        key = match_key(term.text)
        for p in index.by_key.get(key, []):
            offer(MappingRow(term.segment, term.text, p, term.kind, 100.0,
                             producers.get(p, 0)))
        for p in index.by_core.get(core_key(term.text), []):
            offer(MappingRow(term.segment, term.text, p, term.kind, 99.0,
                             producers.get(p, 0)))
        if len(key) < MIN_FUZZY_TERM:
            continue
        fuzzy: list[MappingRow] = []
        for pk in index.near(key):
            if pk == key or not _keys_agree(key, pk) or (
                    pk in key and (len(pk) < 3 or len(pk) < MIN_PART * len(key))):
                continue
            score = round(float(fuzz.WRatio(key, pk)), 1)
            if score >= threshold:
                fuzzy.extend(MappingRow(term.segment, term.text, p, "fuzzy", score,
                                        producers[p])
                             for p in index.by_key[pk] if producers.get(p))
        if len({r.product for r in fuzzy}) <= max_fuzzy:
            for row in fuzzy:
                offer(row)
    names = {s.id: s.name for s in atlas.segments.values()}
    rows = [replace(r, segment_name=names[r.segment]) for r in best.values()]
    return sorted(rows, key=lambda r: (r.segment, KINDS.index(r.kind), -r.score, r.product))


def merge_reviewed(new: list[MappingRow], old: Iterable[MappingRow]) -> list[MappingRow]:
    """``new`` candidates with the reviewer's work in ``old`` kept: accept/reject
    decisions of the same (segment, product) and every manual row."""
    reviewed = {(r.segment, r.product): r for r in old
                if r.decision != "auto" or r.kind == "manual"}
    out: list[MappingRow] = []
    for r in new:
        prev = reviewed.pop((r.segment, r.product), None)
        out.append(replace(r, decision=prev.decision) if prev else r)
    out.extend(reviewed.values())
    return sorted(out, key=lambda r: (r.segment, KINDS.index(r.kind), -r.score, r.product))


def write_mapping(path: Path, rows: Iterable[MappingRow],
                  threshold: float = DEFAULT_THRESHOLD) -> None:
    """Write the review file (atomically: a temporary file renamed over ``path``)."""
    lines = [HEADER.format(threshold=threshold), "\t".join(COLUMNS) + "\n"]
    for r in rows:
        cells = (r.segment, r.segment_name, r.term, r.product, r.kind, f"{r.score:g}",
                 str(r.producers), r.decision)
        lines.append("\t".join(cells) + "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("".join(lines), encoding="utf-8")
    tmp.replace(path)


def read_mapping(path: Path) -> list[MappingRow]:
    """Read a review file; raises :class:`InvalidInput` naming the file, line and field
    of every bad row (nothing is returned then)."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet may add a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read mapping ({exc})",
                           details=[{"field": "mapping"}]) from exc
    rows: list[MappingRow] = []
    problems: list[dict[str, object]] = []
    header_seen = False
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            header_seen = True
            if tuple(cells) != COLUMNS:
                problems.append({"line": n, "field": "header",
                                 "message": f"expected columns {', '.join(COLUMNS)}"})
                break
            continue
        row, problem = _parse_row(cells)
        if problem:
            problems.append({"line": n, **problem})
        elif row is not None:
            rows.append(row)
    if problems:
        first = problems[0]
        raise InvalidInput(
            f"{path}:{first['line']}: {first['field']}: {first['message']}"
            f" ({len(problems)} problem(s))", details=[{"file": str(path), **p}
                                                       for p in problems[:50]])
    return rows


def _parse_row(cells: list[str]) -> tuple[MappingRow | None, dict[str, str] | None]:
    if len(cells) != len(COLUMNS):
        return None, {"field": "row", "message": f"expected {len(COLUMNS)} tab-separated "
                                                 f"cells, got {len(cells)}"}
    seg, seg_name, term, product, kind, score, producers, decision = (c.strip() for c in cells)
    if not seg or not product:
        return None, {"field": "segment" if not seg else "product", "message": "empty"}
    if kind not in KINDS:
        return None, {"field": "kind", "message": f"{kind!r} is not one of {', '.join(KINDS)}"}
    if decision not in DECISIONS:
        return None, {"field": "decision",
                      "message": f"{decision!r} is not one of {', '.join(DECISIONS)}"}
    try:
        value = float(score or 100)
        count = int(producers or 0)
    except ValueError:
        return None, {"field": "score", "message": "score and producers must be numbers"}
    if not 0 <= value <= 100:
        return None, {"field": "score", "message": "must be within 0..100"}
    return MappingRow(seg, term, product, kind, value, count, decision, seg_name), None

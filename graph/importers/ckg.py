"""Reader of the ChainKnowledgeGraph (产业链知识图谱) JSON Lines format.

The format (see ``../shared/external/ChainKnowledgeGraph/SOURCE.md``): ``company.json``,
``company_industry.json``, ``product.json`` and, in the directory or its
``reconstructed/`` folder, ``company_product.json`` and ``product_product.json``.

Rules:

* Direction: ``A 上游材料 B`` means B is a material of A (supply flows B → A);
  ``A 下游产品 B`` means supply flows A → B; ``A 产品小类 B`` means B is a sub-type of A.
* Companies are keyed by suffixed stock code (``600426.SH``) and joined on codes only.
  A short name comes from ``company_industry.json`` (else ``company_product.json``, else an
  unambiguous ``company.json`` row); a full name only from ``company.json`` rows that carry
  the same code *and* the same short name, and only if it is unique.
* Anomalies never raise: they are counted in :class:`Anomalies` with a few examples.
  Self-loops and non-product line items (分部间抵销, 平衡项目 …) are dropped; negative,
  zero, above-one and placeholder (0.001) revenue weights become "unknown" (None).

This module returns plain dicts, sets and tuples; :mod:`graph.importers.build` turns them
into models once.

>>> normalise_name(" 维生素A系\\n列 ")
'维生素A系列'
>>> product_id("己内酰胺")
'prod.e376ec0d83ae026f'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from graph.errors import InvalidInput
from graph.ids import STOCK_CODE
from graph.model import CONTROL_CHARS

DATASET = "ChainKnowledgeGraph"
REQUIRED = ("company.json", "company_product.json", "product_product.json")
OPTIONAL = ("company_industry.json", "product.json")
EXCHANGES = {"上海证券交易所": "SH", "深圳证券交易所": "SZ", "北京证券交易所": "BJ"}
PLACEHOLDER_WEIGHT = 0.001
LINE_ITEM = re.compile(r"抵销|抵消|平衡项目|调整项目|合计|小计|内部交易|减[:：]")
RELS = ("上游材料", "下游产品", "产品小类")
MAX_EXAMPLES = 5
_SPACE = re.compile(r"\s")

Progress = Callable[[int], None]


def product_id(name: str) -> str:
    """The stable id of a product: ``prod.`` + 16 hex digits of blake2b of its name."""
    return "prod." + hashlib.blake2b(name.encode("utf-8"), digest_size=8).hexdigest()


def normalise_name(name: str) -> str:
    """Drop control characters (e.g. a stray DEL, which no stored text may hold) and line
    breaks (names broken across lines), collapse other whitespace, strip."""
    if CONTROL_CHARS.search(name):
        name = CONTROL_CHARS.sub("", name)
    if not _SPACE.search(name):
        return name
    return " ".join(name.replace("\r", "").replace("\n", "").split())


@dataclass
class Anomalies:
    """Counts of anomalies by kind, with up to five examples each."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, example: str, n: int = 1) -> None:
        self.counts[kind] += n
        ex = self.examples.setdefault(kind, [])
        if len(ex) < MAX_EXAMPLES:
            ex.append(example)


@dataclass
class CkgCompany:
    """One listed company: suffixed code, short name, unique full name, industry and
    former short names (rows of ``company.json`` with the same code and another name)."""

    code: str
    short: str
    full: str | None = None
    industry: str | None = None
    former: list[str] = field(default_factory=list)


@dataclass
class CkgData:
    """A parsed ChainKnowledgeGraph: plain values, no models.

    ``makes`` maps (code, product name) to the revenue share (None when unknown);
    ``feeds`` holds (source, target) supply pairs with their original record;
    ``subtypes`` holds (sub-type, parent) pairs with their original record.
    """

    companies: dict[str, CkgCompany] = field(default_factory=dict)
    products: set[str] = field(default_factory=set)
    listed_products: set[str] = field(default_factory=set)
    makes: dict[tuple[str, str], float | None] = field(default_factory=dict)
    raw_weights: dict[tuple[str, str], float] = field(default_factory=dict)
    feeds: dict[tuple[str, str], str] = field(default_factory=dict)
    subtypes: dict[tuple[str, str], str] = field(default_factory=dict)
    anomalies: Anomalies = field(default_factory=Anomalies)

    def producers(self) -> Counter[str]:
        """Number of companies making each product."""
        return Counter(p for _, p in self.makes)


def locate(path: Path) -> dict[str, Path]:
    """The files of a ChainKnowledgeGraph directory (``reconstructed/`` is searched too).

    Raises :class:`InvalidInput` naming the directory and the missing files."""
    if not path.is_dir():
        raise InvalidInput(f"{path}: not a directory", details=[{"field": "path"}])
    found: dict[str, Path] = {}
    for name in (*REQUIRED, *OPTIONAL):
        for cand in (path / name, path / "reconstructed" / name):
            if cand.is_file():
                found[name] = cand
                break
    missing = [n for n in REQUIRED if n not in found]
    if missing:
        raise InvalidInput(f"{path}: missing ChainKnowledgeGraph file(s): {', '.join(missing)}",
                           details=[{"field": "path", "missing": missing}])
    return found


def total_bytes(files: dict[str, Path]) -> int:
    return sum(p.stat().st_size for p in files.values())


def _records(path: Path, an: Anomalies, progress: Progress | None) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON Lines file; bad lines are counted, not raised."""
    raw = path.read_bytes()
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    try:
        rows: list[Any] = json.loads(b"[" + b",".join(lines) + b"]")
    except (json.JSONDecodeError, UnicodeDecodeError):
        rows = []
        for i, ln in enumerate(raw.splitlines(), 1):
            if not ln.strip():
                continue
            try:
                rows.append(json.loads(ln))
            except (json.JSONDecodeError, UnicodeDecodeError):
                an.note("bad_json", f"{path.name}:{i}")
    if progress is not None:
        progress(len(raw))
    for row in rows:
        if isinstance(row, dict):
            yield row
        else:
            an.note("bad_record", f"{path.name}: {str(row)[:40]}")


def _text(row: dict[str, Any], key: str) -> str | None:
    v = row.get(key)
    if not isinstance(v, str):
        return None
    v = normalise_name(v)
    return v or None


def _code(row: dict[str, Any], key: str) -> str | None:
    v = _text(row, key)
    return v.upper() if v else None


def _suffixed(code: str, location: str | None, an: Anomalies) -> str | None:
    if STOCK_CODE.match(code):
        return code
    if not re.fullmatch(r"\d{6}", code):
        return None
    ex = EXCHANGES.get(location or "")
    if ex is None:
        an.note("bad_location", f"{code}: {location!r}")
        ex = "SH" if code[0] in "69" else "BJ" if code[0] in "48" else "SZ"
    return f"{code}.{ex}"


def read_ckg(path: Path, progress: Progress | None = None) -> CkgData:
    """Parse a ChainKnowledgeGraph directory into :class:`CkgData` (see module rules)."""
    files = locate(path)
    data = CkgData()
    an = data.anomalies
    listing = _read_listing(files["company.json"], an, progress)
    industry: dict[str, tuple[str, str | None]] = {}
    if "company_industry.json" in files:
        for row in _records(files["company_industry.json"], an, progress):
            code, name = _code(row, "company_code"), _text(row, "company_name")
            if code is None or name is None or not STOCK_CODE.match(code):
                an.note("bad_record", f"company_industry.json: {code!r}")
                continue
            if code in industry and industry[code][0] != name:
                an.note("misaligned_name", f"{code}: {industry[code][0]} / {name}")
            industry.setdefault(code, (name, _text(row, "industry_name")))
    if "product.json" in files:
        for row in _records(files["product.json"], an, progress):
            name = _text(row, "name")
            if name is None:
                an.note("blank_product", "product.json")
                continue
            data.listed_products.add(name)
    named = _read_company_products(files["company_product.json"], data, progress)
    _resolve_companies(data, listing, industry, named)
    _read_product_products(files["product_product.json"], data, progress)
    data.products.update(p for _, p in data.makes)
    if data.listed_products:
        for pname in sorted(data.products - data.listed_products):
            an.note("dangling_product", pname)
    data.products |= data.listed_products
    _count_cycles(data)
    return data


def _count_cycles(data: CkgData) -> None:
    """Count supply cycles longer than two (strongly connected groups of 3+ products)."""
    g: nx.DiGraph[str] = nx.DiGraph(list(data.feeds))
    for comp in nx.strongly_connected_components(g):
        if len(comp) > 2:
            data.anomalies.note("cycle_group", " ⇄ ".join(sorted(comp)[:4]))


def _read_listing(path: Path, an: Anomalies, progress: Progress | None
                  ) -> dict[str, list[tuple[str, str | None]]]:
    listing: dict[str, list[tuple[str, str | None]]] = {}
    for row in _records(path, an, progress):
        raw = _code(row, "code")
        code = _suffixed(raw, _text(row, "location"), an) if raw else None
        name = _text(row, "name")
        if code is None or name is None:
            an.note("bad_record", f"company.json: {raw!r}")
            continue
        listing.setdefault(code, []).append((name, _text(row, "fullname")))
    return listing


def _read_company_products(path: Path, data: CkgData, progress: Progress | None
                           ) -> dict[str, str]:
    """Fill ``data.makes``; return the company names the file gives per code."""
    an = data.anomalies
    names: dict[str, str] = {}
    for row in _records(path, an, progress):
        code, pname = _code(row, "company_code"), _text(row, "product_name")
        if code is None or pname is None or not STOCK_CODE.match(code):
            an.note("bad_record", f"company_product.json: {code!r} {pname!r}")
            continue
        cname = _text(row, "company_name")
        if cname is not None:
            names.setdefault(code, cname)
        if LINE_ITEM.search(pname):
            an.note("line_item", pname)
            continue
        w = row.get("rel_weight")
        weight = _weight(w, an, f"{code} {pname}")
        key = (code, pname)
        if key in data.makes:
            an.note("duplicate_makes", f"{code} {pname}")
            prev = data.makes[key]
            weight = min(1.0, weight + (prev or 0.0)) if weight is not None else prev
        data.makes[key] = weight
        if isinstance(w, int | float):
            data.raw_weights[key] = float(w)
    return names


def _weight(w: Any, an: Anomalies, where: str) -> float | None:
    if not isinstance(w, int | float) or isinstance(w, bool):
        an.note("weight_missing", where)
        return None
    v = float(w)
    if v == PLACEHOLDER_WEIGHT:
        an.note("weight_placeholder", where)
        return None
    if v < 0:
        an.note("weight_negative", f"{where}: {v}")
        return None
    if v == 0:
        an.note("weight_zero", where)
        return None
    if v > 1:
        an.note("weight_above_one", f"{where}: {v}")
        return None
    return v


def _resolve_companies(data: CkgData, listing: dict[str, list[tuple[str, str | None]]],
                       industry: dict[str, tuple[str, str | None]], named: dict[str, str]
                       ) -> None:
    an = data.anomalies
    full_codes: dict[str, set[str]] = {}
    for code, rows in listing.items():
        for _, full in rows:
            if full:
                full_codes.setdefault(full, set()).add(code)
    codes = sorted(set(listing) | set(industry) | {c for c, _ in data.makes})
    for code in codes:
        rows = listing.get(code, [])
        short = industry[code][0] if code in industry else named.get(code)
        if short is None:
            distinct = {n for n, _ in rows}
            if len(distinct) == 1:
                short = distinct.pop()
            else:
                an.note("unnamed_company", code)
                continue
        fulls = {f for _, f in rows if f and full_codes[f] == {code}}
        shared = [f for _, f in rows if f and full_codes[f] != {code}]
        if shared or len(fulls) > 1:
            an.note("misaligned_name", f"{code} {short}: {(shared or sorted(fulls))[0]}",
                    len(shared) + max(0, len(fulls) - 1))
        renamed = sorted({n for n, _ in rows if n != short})
        if renamed:
            an.note("renamed", f"{code}: {renamed[0]} → {short}")
        full = fulls.pop() if len(fulls) == 1 else None
        data.companies[code] = CkgCompany(code, short, full,
                                          industry[code][1] if code in industry else None,
                                          renamed)
    unknown = [k for k in data.makes if k[0] not in data.companies]
    for k in unknown:
        an.note("makes_unknown_company", f"{k[0]} {k[1]}")
        del data.makes[k]


def _read_product_products(path: Path, data: CkgData, progress: Progress | None) -> None:
    an = data.anomalies
    for row in _records(path, an, progress):
        a, rel, b = _text(row, "from_entity"), _text(row, "rel"), _text(row, "to_entity")
        if a is None or b is None or rel not in RELS:
            an.note("bad_record", f"product_product.json: {a!r} {rel!r} {b!r}")
            continue
        record = f"{a}|{rel}|{b}"
        if a == b:
            an.note("self_loop", record)
            continue
        if rel == "产品小类":
            pair, target = (b, a), data.subtypes
        else:
            pair, target = ((b, a) if rel == "上游材料" else (a, b)), data.feeds
        if pair in target:
            an.note("duplicate_relation", record)
            continue
        target[pair] = record
        data.products.update(pair)
    for s, t in data.feeds:
        if s < t and (t, s) in data.feeds:
            an.note("two_cycle", f"{s} ⇄ {t}")

"""Turn a parsed ChainKnowledgeGraph (:class:`~graph.importers.ckg.CkgData`) plus the
reviewed product mapping into the atlas to merge into a store.

Rules:

* Listed companies become ``Company(role=target, id=<stock code>)``, with ``status`` 退市 or
  ST when the listed names say so (:func:`listing_status`) or a reviewed status from
  ``seeds/mappings/company_status.yaml`` (:func:`read_statuses`). A company the atlas
  holds from another source (same id, or a seed company whose ``stock_code`` is that code)
  is never rewritten: only new relations point at it.
* Products get ``prod.<hash>`` ids; ``makes``, ``product_feeds`` and ``subtype_of``
  relations keep the original record as their source key.
* Each used mapping row gives ``maps_to`` (product → segment). A company making a mapped
  product gets ``operates`` in that segment: weight = the sum of the known revenue shares
  of its mapped products (capped at 1; :data:`UNKNOWN_SHARE` when none is known), the
  products and an evidence text such as ``主营产品 己内酰胺，收入占比 45.2%``. Grade:
  exact/alias/manual matches medium, fuzzy weak; one step up for a reviewer's ``accept``
  or an exact match with a revenue share of at least :data:`STRONG_SHARE`.
* An ``operates`` relation the atlas already holds from another source (a seed fact) is
  kept as it is.

Everything is keyed by ids, so building twice from the same input gives the same atlas.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from graph.analysis.listfile import read_list
from graph.importers.ckg import DATASET, CkgData, product_id
from graph.importers.mapping import MappingRow
from graph.model import (
    Atlas,
    Company,
    CompanyStatus,
    Grade,
    Makes,
    MapsTo,
    Operates,
    Product,
    ProductFeeds,
    Role,
    Source,
    SubtypeOf,
)

AS_OF = dt.date(2021, 10, 26)
MAPPING_DATASET = "seeds/mappings/ckg_products.tsv"
STATUS_FILE = "company_status.yaml"
UNKNOWN_SHARE = 0.01
STRONG_SHARE = 0.3
GRADES = (Grade.weak, Grade.medium, Grade.strong)
EVIDENCE_PRODUCTS = 3


@dataclass
class ImportPlan:
    """The atlas to merge and what went into it."""

    atlas: Atlas
    stats: Counter[str] = field(default_factory=Counter)
    targets: set[str] = field(default_factory=set)


def _src(key: str, grade: Grade = Grade.medium, dataset: str = DATASET) -> dict[str, Any]:
    """A dataset source as plain data (validated once, inside the model that holds it)."""
    return {"dataset": dataset, "key": key, "as_of": AS_OF, "grade": grade}


def share_text(weight: float | None) -> str:
    """``45.2%``, ``<0.1%`` or ``不详``.

    >>> share_text(0.452), share_text(0.0004), share_text(None)
    ('45.2%', '<0.1%', '不详')
    """
    if weight is None:
        return "不详"
    return f"{weight * 100:.1f}%" if weight >= 0.0005 else "<0.1%"


def listing_status(short: str, former: Iterable[str] = ()) -> CompanyStatus | None:
    """Status read from the listed names: 退市 (current or former name ``退市…``), ST
    (current name ``ST…``/``*ST…``), else None.

    >>> listing_status("*ST德豪"), listing_status("x", ["退市博元"]), listing_status("神马股份")
    ('ST', '退市', None)
    """
    if short.startswith("退市") or any(n.startswith("退市") for n in former):
        return "退市"
    if short.lstrip("*").startswith("ST"):
        return "ST"
    return None


class StatusEntry(BaseModel):
    """A reviewed business status of a listed firm (``company_status.yaml``)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    status: CompanyStatus
    src: Source


def read_statuses(path: Path) -> dict[str, CompanyStatus]:
    """Reviewed statuses by stock code; a missing file is empty; :class:`InvalidInput`
    naming the file and entry for a bad one."""
    entries = read_list(path, StatusEntry, "企业状态文件", "company statuses", missing_ok=True)
    return {e.id: e.status for e in entries}


def _grade(row: MappingRow, share: float | None) -> Grade:
    level = 0 if row.kind == "fuzzy" else 1
    if row.decision == "accept" or (row.kind == "exact" and (share or 0) >= STRONG_SHARE):
        level += 1
    return GRADES[min(level, 2)]


def build_import(data: CkgData, base: Atlas, rows: Iterable[MappingRow],
                 statuses: Mapping[str, CompanyStatus] | None = None) -> ImportPlan:
    """The atlas to merge into a store holding ``base`` (see module rules); ``statuses``
    are reviewed business statuses by stock code (``seeds/mappings/company_status.yaml``)."""
    plan = ImportPlan(Atlas())
    ids = _companies(data, base, plan, statuses or {})
    pids = _products(data, plan)
    by_product = _makes(data, ids, pids, plan)
    mapped = _maps(rows, base, data, pids, plan)
    _operates(mapped, by_product, base, plan)
    return plan


def _companies(data: CkgData, base: Atlas, plan: ImportPlan,
               statuses: Mapping[str, CompanyStatus]) -> dict[str, str]:
    """Company id per stock code; new companies are added to the plan."""
    seeded = {c.id: c for c in base.companies.values() if c.src.dataset != DATASET}
    by_code = {c.stock_code: c.id for c in seeded.values() if c.stock_code}
    ids: dict[str, str] = {}
    for code, co in data.companies.items():
        known = code if code in seeded else by_code.get(code)
        if known is not None:
            ids[code] = known
            plan.stats["companies_in_atlas"] += 1
            continue
        name = co.full or co.short
        aliases = [n for n in dict.fromkeys([co.short, *co.former]) if n != name]
        plan.atlas.companies[code] = Company.model_validate(dict(
            id=code, name=name, aliases=aliases, role=Role.target, tags=["上市"],
            stock_code=code, status=statuses.get(code) or listing_status(co.short, co.former),
            description=f"申万行业：{co.industry}" if co.industry else "",
            src=_src(f"company:{code}")))
        ids[code] = code
    _note_name_matches(data, seeded, plan)
    return ids


def _note_name_matches(data: CkgData, seeded: dict[str, Company], plan: ImportPlan) -> None:
    """Count seed firms whose name equals a new listed firm's name: never merged (names
    are not keys), but reported so a reviewer can add the seed's ``stock_code``."""
    by_name: dict[str, str] = {}
    for c in plan.atlas.companies.values():
        for n in (c.name, *c.aliases):
            by_name.setdefault(n, c.id)
    for c in seeded.values():
        hit = next((by_name[n] for n in (c.name, *c.aliases) if n in by_name), None)
        if hit is not None:
            data.anomalies.note("name_matches_seed", f"{c.id} {c.name} ≟ {hit}")


def _products(data: CkgData, plan: ImportPlan) -> dict[str, str]:
    """Add products and product relations; return the product id per name."""
    names: dict[str, str] = {}
    pids: dict[str, str] = {}
    for name in sorted(data.products):
        pid = product_id(name)
        if pid in names:
            data.anomalies.note("id_collision", f"{names[pid]} / {name}")
            continue
        names[pid] = name
        pids[name] = pid
        plan.atlas.products[pid] = Product.model_validate(
            {"id": pid, "name": name, "src": _src(f"product:{name}")})
    for (s, t), record in data.feeds.items():
        if s in pids and t in pids:
            plan.atlas.product_feeds.append(ProductFeeds.model_validate(
                {"source": pids[s], "target": pids[t], "src": _src(record)}))
    for (sub, parent), record in data.subtypes.items():
        if sub in pids and parent in pids:
            plan.atlas.subtype_of.append(SubtypeOf.model_validate(
                {"product": pids[sub], "parent": pids[parent], "src": _src(record)}))
    return pids


def _makes(data: CkgData, ids: dict[str, str], pids: dict[str, str], plan: ImportPlan
           ) -> dict[str, list[tuple[str, str, float | None]]]:
    """Add makes relations; return (company id, code, share) per product name."""
    by_product: dict[str, list[tuple[str, str, float | None]]] = {}
    for (code, pname), weight in data.makes.items():
        cid = ids[code]
        if pname not in pids:
            continue
        evidence = f"主营产品 {pname}，收入占比 {share_text(weight)}"
        raw = data.raw_weights.get((code, pname))
        if weight is None and raw is not None:
            evidence += f"（原值 {raw:g}）"
        plan.atlas.makes.append(Makes.model_validate(
            {"company": cid, "product": pids[pname], "weight": weight, "evidence": evidence,
             "src": _src(f"{code}|{pname}")}))
        by_product.setdefault(pname, []).append((cid, code, weight))
    return by_product


def _maps(rows: Iterable[MappingRow], base: Atlas, data: CkgData, pids: dict[str, str],
          plan: ImportPlan) -> list[MappingRow]:
    used: list[MappingRow] = []
    for row in rows:
        if not row.used:
            plan.stats["mapping_rejected"] += 1
            continue
        if row.segment not in base.segments:
            data.anomalies.note("mapping_unknown_segment", f"{row.segment} {row.product}")
            continue
        if row.product not in pids:
            data.anomalies.note("mapping_unknown_product", f"{row.segment} {row.product}")
            continue
        used.append(row)
        plan.atlas.maps_to.append(MapsTo.model_validate(
            {"product": pids[row.product], "segment": row.segment, "term": row.term,
             "match": row.kind, "score": row.score,
             "src": _src(f"{row.segment}|{row.product}", _grade(row, None), MAPPING_DATASET)}))
    return used


def _operates(mapped: list[MappingRow],
              by_product: dict[str, list[tuple[str, str, float | None]]],
              base: Atlas, plan: ImportPlan) -> None:
    seed_ops = {(r.company, r.segment) for r in base.operates if r.src.dataset != DATASET}
    found: dict[tuple[str, str], list[tuple[MappingRow, float | None]]] = {}
    codes: dict[str, str] = {}
    for row in mapped:
        for cid, code, share in by_product.get(row.product, []):
            found.setdefault((cid, row.segment), []).append((row, share))
            codes[cid] = code
    for (cid, seg), hits in sorted(found.items()):
        if (cid, seg) in seed_ops:
            plan.stats["operates_seed_kept"] += 1
            continue
        hits.sort(key=lambda h: (-(h[1] or 0), h[0].product))
        known = [s for _, s in hits if s is not None]
        weight = min(1.0, sum(known)) if known else UNKNOWN_SHARE
        grade = max((_grade(r, s) for r, s in hits), key=GRADES.index)
        shown = [f"主营产品 {r.product}，收入占比 {share_text(s)}"
                 for r, s in hits[:EVIDENCE_PRODUCTS]]
        more = f"；等 {len(hits)} 项" if len(hits) > EVIDENCE_PRODUCTS else ""
        plan.atlas.operates.append(Operates.model_validate(
            {"company": cid, "segment": seg, "weight": weight,
             "products": list(dict.fromkeys(r.product for r, _ in hits)),
             "evidence": "；".join(shown) + more,
             "src": _src(f"company_product:{codes[cid]}", grade)}))
        company = plan.atlas.companies.get(cid) or base.companies.get(cid)
        if company is not None and company.role is Role.target:
            plan.targets.add(cid)

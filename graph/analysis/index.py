"""Per-atlas lookup tables for the analysis functions, built once per atlas object.

Every analysis call starts with :func:`analysis_index`; the tables (operates by segment
and by company, projects by segment and investor, facts and assessments by segment,
co-product sources, feeds adjacency per chain scope, memberships, institute links …) are
cached on the atlas's identity and dropped when the atlas is garbage-collected. The atlas
must not be mutated after the first call (stores hand out copy-on-write snapshots;
:func:`graph.analysis.whatif.what_if` builds a copy).

>>> from graph.model import Atlas
>>> atlas = Atlas()
>>> analysis_index(atlas) is analysis_index(atlas)
True
>>> analysis_index(atlas).chain_scope("ch.none").segments
()
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.analysis.vocab import product_keys
from graph.coverage import chain_family
from graph.model import (
    Assessment,
    Atlas,
    Company,
    Fact,
    Operates,
    Project,
    Role,
    Segment,
    Uses,
)


@dataclass(frozen=True)
class ChainScope:
    """Segments and feeds of a chain and all its descendant chains."""

    chain_ids: tuple[str, ...]
    segments: tuple[str, ...]
    preds: dict[str, tuple[str, ...]]
    succs: dict[str, tuple[str, ...]]
    ancestors: dict[str, frozenset[str]]
    descendants: dict[str, frozenset[str]]


def _closure(start: str, nxt: dict[str, tuple[str, ...]]) -> frozenset[str]:
    seen: set[str] = set()
    todo = list(nxt.get(start, ()))
    while todo:
        s = todo.pop()
        if s not in seen:
            seen.add(s)
            todo.extend(nxt.get(s, ()))
    seen.discard(start)
    return frozenset(seen)


def norm_product(p: str) -> str:
    """A product name normalised for matching (NFKC, lower case, no spaces, parenthesised
    notes dropped): the first part of :func:`graph.analysis.vocab.product_keys`."""
    keys = product_keys(p)
    return keys[0] if keys else ""


def products_match(a: str, b: str) -> bool:
    """Two product names match when a whole normalised part of one equals a whole part of
    the other; never on substrings (电机 does not match 伺服电机).

    >>> products_match("尼龙66切片（高粘）", "尼龙66切片"), products_match("电机", "伺服电机")
    (True, False)
    """
    return bool(set(product_keys(a)) & set(product_keys(b)))


def company_names(atlas: Atlas) -> dict[str, str]:
    """Company id by exact name or alias, for names that name one company only (a project
    ledger's investor name resolves to the company this way when its id is empty).

    >>> company_names(Atlas())
    {}
    """
    seen: dict[str, set[str]] = defaultdict(set)
    for c in atlas.companies.values():
        for n in (c.name, *c.aliases):
            if n.strip():
                seen[n.strip()].add(c.id)
    return {n: next(iter(ids)) for n, ids in seen.items() if len(ids) == 1}


@dataclass
class AnalysisIndex:
    """Lookup tables over one atlas (see the module docstring)."""

    ref: weakref.ref[Atlas]
    ops_by_segment: dict[str, list[Operates]] = field(default_factory=lambda: defaultdict(list))
    ops_by_company: dict[str, list[Operates]] = field(default_factory=lambda: defaultdict(list))
    projects_by_segment: dict[str, list[Project]] = field(
        default_factory=lambda: defaultdict(list))
    projects_by_investor: dict[str, list[Project]] = field(
        default_factory=lambda: defaultdict(list))
    neighbours: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    feeds_out: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    supplies_to: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    supplied_by: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    member_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    members: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    covers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    supports: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    cooperates: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    uses_by_segment: dict[str, list[Uses]] = field(default_factory=lambda: defaultdict(list))
    key_products: dict[str, tuple[str, ...]] = field(default_factory=dict)
    facts_by_segment: dict[str, list[Fact]] = field(default_factory=lambda: defaultdict(list))
    assessments_by_segment: dict[str, list[Assessment]] = field(
        default_factory=lambda: defaultdict(list))
    co_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Segment → the segments that co-produce it (``co_produces`` source → target)."""
    memo: dict[tuple[Any, ...], tuple[Any, Any]] = field(default_factory=dict)
    """Results of analysis helpers over this atlas, keyed by the helper and its arguments."""
    _scopes: dict[str, ChainScope] = field(default_factory=dict)

    @property
    def atlas(self) -> Atlas:
        a = self.ref()
        if a is None:  # pragma: no cover - the caller holds the atlas
            raise RuntimeError("atlas was garbage-collected")
        return a

    def __post_init__(self) -> None:
        a = self.atlas
        for op in a.operates:
            self.ops_by_segment[op.segment].append(op)
            self.ops_by_company[op.company].append(op)
        names = company_names(a)
        for p in sorted(a.projects.values(), key=lambda p: p.id):
            for s in p.segments:
                self.projects_by_segment[s].append(p)
            investor = p.investor_id or names.get(p.investor.strip())
            if investor:
                self.projects_by_investor[investor].append(p)
        for f in a.feeds:
            self.neighbours[f.source].add(f.target)
            self.feeds_out[f.source].add(f.target)
            self.neighbours[f.target].add(f.source)
        for r in a.supplies:
            self.supplies_to[r.supplier].add(r.customer)
            self.supplied_by[r.customer].add(r.supplier)
        for m in a.member_of:
            self.member_of[m.company].add(m.association)
            self.members[m.association].add(m.company)
        for cv in a.covers:
            self.covers[cv.segment].add(cv.association)
        for sp in a.supports:
            self.supports[sp.segment].add(sp.institute)
        for co in a.cooperates:
            self.cooperates[co.company].add(co.institute)
        for u in a.uses:
            self.uses_by_segment[u.segment].append(u)
        self.key_products = {s.id: tuple(k for p in s.key_products for k in product_keys(p))
                             for s in a.segments.values()}
        for fact in sorted(a.facts.values(), key=lambda f: f.id):
            self.facts_by_segment[fact.segment].append(fact)
        for ass in sorted(a.assessments.values(), key=lambda x: x.id):
            self.assessments_by_segment[ass.segment].append(ass)
        co_src: dict[str, set[str]] = defaultdict(set)
        for cp in a.co_produces:
            co_src[cp.target].add(cp.source)
        self.co_sources = {t: tuple(sorted(x)) for t, x in co_src.items()}

    # --- chains -------------------------------------------------------------------

    def chain_scope(self, chain_id: str) -> ChainScope:
        """Segments and feeds of ``chain_id`` and its descendant chains (cached)."""
        hit = self._scopes.get(chain_id)
        if hit is not None:
            return hit
        fam = tuple(sorted(chain_family(self.atlas, chain_id)))
        fam_set = set(fam)
        segs = tuple(sorted(s.id for s in self.atlas.segments.values()
                            if fam_set.intersection(s.chains)))
        preds: dict[str, set[str]] = defaultdict(set)
        succs: dict[str, set[str]] = defaultdict(set)
        seg_set = set(segs)
        for f in self.atlas.feeds:
            if f.chain in fam_set and f.source in seg_set and f.target in seg_set:
                succs[f.source].add(f.target)
                preds[f.target].add(f.source)
        p = {s: tuple(sorted(preds.get(s, ()))) for s in segs}
        n = {s: tuple(sorted(succs.get(s, ()))) for s in segs}
        scope = ChainScope(fam, segs, p, n, {s: _closure(s, p) for s in segs},
                           {s: _closure(s, n) for s in segs})
        self._scopes[chain_id] = scope
        return scope

    # --- companies ----------------------------------------------------------------

    def company(self, company_id: str) -> Company | None:
        return self.atlas.companies.get(company_id)

    def segment(self, segment_id: str) -> Segment | None:
        return self.atlas.segments.get(segment_id)

    def is_local(self, company_id: str) -> bool:
        c = self.atlas.companies.get(company_id)
        return c is not None and c.role is not Role.target

    def name(self, entity_id: str) -> str:
        """Display name of any entity (the id if unknown)."""
        e = self.atlas.find(entity_id)
        return e.name if e is not None else entity_id


_CACHE: dict[int, AnalysisIndex] = {}
_LOCK = threading.Lock()


def analysis_index(atlas: Atlas) -> AnalysisIndex:
    """The lookup tables of ``atlas`` (built on first use, cached per atlas object)."""
    key = id(atlas)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit.ref() is atlas:
            return hit
    idx = AnalysisIndex(weakref.ref(atlas))
    with _LOCK:
        _CACHE[key] = idx
    weakref.finalize(atlas, _CACHE.pop, key, None)
    return idx

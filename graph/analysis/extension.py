"""Extension (延链): segments the city does not have yet, next to its strong segments.

Rule (weights in ``rules.toml`` ``[extension]``, README "Gap rules"). The strong segments
of the chain's diagnosis (in the region) are the base. Every segment of the atlas (any
chain) that is locally absent in the region is a candidate; its relatedness to a strong
segment S sums these signals:

* ``feeds`` — a feeds edge joins it and S, in either direction, in any chain;
* ``shared_chain`` — it belongs to one of S's chains;
* ``products`` x overlap — the share of the smaller key-product list matched by the other;
* ``institute`` — an institute supports both; ``association`` — an association covers both;
* ``application`` — an application field of one's product lists the other among the
  segments 延链 could add (:func:`graph.analysis.routes.application_links`).

A candidate's relatedness is the maximum over strong segments; those with at least
``min_relatedness`` are returned, highest first (ties by segment id). ``from_segments``
lists the strong segments it relates to, best first.
"""

from __future__ import annotations

from pydantic import BaseModel

from graph.analysis.gaps import diagnose_chain
from graph.analysis.index import AnalysisIndex, analysis_index, products_match
from graph.analysis.presence import presence, region_filter
from graph.analysis.routes import application_links
from graph.analysis.rules import Rules, active_rules
from graph.model import Atlas, Stage


class ExtensionItem(BaseModel):
    """A segment to extend the chain into."""

    segment_id: str
    name: str
    stage: Stage
    chains: list[str]
    in_chain: bool
    relatedness: float
    components: dict[str, float]
    from_segments: list[str]
    pipeline_projects: list[str]
    reasons: list[str]


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, list[str]]:
    if not a or not b:
        return 0.0, []
    hits = [x for x in a if any(products_match(x, y) for y in b)]
    hits_b = [y for y in b if any(products_match(x, y) for x in a)]
    return min(1.0, max(len(hits), len(hits_b)) / min(len(a), len(b))), hits


def _relate(idx: AnalysisIndex, cand: str, strong: str, rules: Rules,
            app_links: dict[str, set[str]] | None = None) -> tuple[dict[str, float], list[str]]:
    ex = rules.extension
    a, b = idx.atlas.segments[cand], idx.atlas.segments[strong]
    comps: dict[str, float] = {}
    why: list[str] = []
    if cand in idx.neighbours.get(strong, ()):
        comps["feeds"] = ex.feeds
        why.append(f"{b.name}（本地强） —供给→ {a.name}" if cand in idx.feeds_out.get(strong, ())
                   else f"{a.name} —供给→ {b.name}（本地强）")
    shared = sorted(set(a.chains) & set(b.chains))
    if shared:
        comps["shared_chain"] = ex.shared_chain
        why.append(f"{a.name} 与 {b.name} 同属产业链「{idx.name(shared[0])}」")
    frac, hits = _overlap(idx.key_products.get(cand, ()), idx.key_products.get(strong, ()))
    if frac > 0:
        comps["products"] = round(ex.products * frac, 4)
        why.append(f"{a.name} 与 {b.name} 共享关键产品：{'、'.join(hits[:4])}")
    inst = sorted(idx.supports.get(cand, set()) & idx.supports.get(strong, set()))
    if inst:
        comps["institute"] = ex.institute
        why.append(f"{idx.name(inst[0])} —支撑→ {a.name}、{b.name}")
    assoc = sorted(idx.covers.get(cand, set()) & idx.covers.get(strong, set()))
    if assoc:
        comps["association"] = ex.association
        why.append(f"{idx.name(assoc[0])} —覆盖→ {a.name}、{b.name}")
    if app_links and cand in app_links.get(strong, ()):
        comps["application"] = ex.application
        why.append(f"{b.name}（本地强） —应用领域→ {a.name}")
    return comps, why


def extension_candidates(atlas: Atlas, chain_id: str, *, county: str | None = None,
                         rules: Rules | None = None, top: int = 20) -> list[ExtensionItem]:
    """Locally absent segments related to the chain's strong segments, most related first.

    NotFound for an unknown chain or county.
    """
    rules = rules or active_rules()
    diag = diagnose_chain(atlas, chain_id, county=county, rules=rules)
    strong = [s.segment_id for s in diag.segments if s.status == "strong"]
    if not strong:
        return []
    idx = analysis_index(atlas)
    region = region_filter(atlas, county, None)
    in_chain = {s.segment_id for s in diag.segments}
    app_links = application_links(atlas)
    out: list[ExtensionItem] = []
    for sid in sorted(atlas.segments):
        if sid in strong:
            continue
        pres = presence(idx, sid, region, rules)
        if pres.present:
            continue
        scored = []
        for s in strong:
            comps, why = _relate(idx, sid, s, rules, app_links)
            total = round(sum(comps.values()), 4)
            if total >= rules.extension.min_relatedness and total > 0:
                scored.append((total, s, comps, why))
        if not scored:
            continue
        scored.sort(key=lambda t: (-t[0], t[1]))
        best, _, comps, why = scored[0]
        seg = atlas.segments[sid]
        out.append(ExtensionItem(
            segment_id=sid, name=seg.name, stage=seg.stage, chains=sorted(seg.chains),
            in_chain=sid in in_chain, relatedness=best, components=comps,
            from_segments=[t[1] for t in scored], pipeline_projects=list(pres.pipeline),
            reasons=why))
    out.sort(key=lambda e: (-e.relatedness, e.segment_id))
    return out[:max(top, 0)]

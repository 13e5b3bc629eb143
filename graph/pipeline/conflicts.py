"""Conflicts between counties and parks (错位招商).

Two kinds are flagged:

* ``same_target``: one outside firm is pursued from two or more places — live
  projects (线索 to 签约) with that investor in different counties/parks, or
  campaigns of different teams listing it as a target (not 已放弃).
* ``same_segment``: two or more counties have live projects (not 终止) building
  the same segment.

Each conflict suggests where the work fits best: the place with the greatest
existing local strength in the segments concerned, where strength counts local
firms operating in a segment (anchors count 3, above-scale firms 2, others 1),
plus half that for segments adjacent by feeds. Ties go to the place id first in
order, so the result is deterministic.

>>> from graph.model import Atlas
>>> find_conflicts(Atlas())
[]
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel

from graph.model import Atlas, ProjectStage, Role
from graph.pipeline.lifecycle import rank

PURSUIT = {ProjectStage.lead, ProjectStage.contact, ProjectStage.signed}


class Clash(BaseModel):
    kind: str
    subject_id: str
    subject_name: str
    places: list[str]
    evidence: list[str]
    suggestion: str | None
    strength: dict[str, float]
    message: str


def _county_of(atlas: Atlas, county: str | None, park: str | None) -> str | None:
    if county:
        return county
    return atlas.parks[park].county if park in atlas.parks else None


def local_strength(atlas: Atlas, county: str, segments: set[str]) -> float:
    """Local strength of ``county`` in ``segments`` (rule in the module docstring)."""
    near: set[str] = set()
    for f in atlas.feeds:
        if f.source in segments:
            near.add(f.target)
        if f.target in segments:
            near.add(f.source)
    near -= segments
    score = 0.0
    for r in atlas.operates:
        firm = atlas.companies.get(r.company)
        if firm is None or firm.role is Role.target or firm.county != county:
            continue
        w = 3.0 if firm.role is Role.anchor else 2.0 if "规上" in firm.tags else 1.0
        if r.segment in segments:
            score += w
        elif r.segment in near:
            score += w / 2
    return score


def _clash(atlas: Atlas, kind: str, subject: str, name: str, places: dict[str, list[str]],
           segments: set[str], what: str) -> Clash:
    counties = sorted({c for c in places})
    strength = {c: local_strength(atlas, c, segments) for c in counties}
    best = min(counties, key=lambda c: (-strength[c], c)) if counties else None
    if best is not None and strength[best] == 0:
        best = None
    names = "、".join(atlas.counties[c].name if c in atlas.counties else c for c in counties)
    advice = (f"建议由{atlas.counties[best].name if best in atlas.counties else best}牵头"
              f"（本地基础最强，强度 {strength[best]:g}），其余县区错位发展或协同配套。"
              if best else "各地均无本地基础，建议市级统筹确定承接地。")
    return Clash(kind=kind, subject_id=subject, subject_name=name, places=counties,
                 evidence=sorted(e for v in places.values() for e in v),
                 suggestion=best, strength=strength,
                 message=f"{names} 同时{what}「{name}」。{advice}")


def find_conflicts(atlas: Atlas) -> list[Clash]:
    """Every same-target and same-segment conflict, sorted by kind and subject."""
    out: list[Clash] = []
    by_firm: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    firm_segments: dict[str, set[str]] = defaultdict(set)
    by_segment: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for p in atlas.projects.values():
        if p.stage is ProjectStage.terminated:
            continue
        county = _county_of(atlas, p.county, p.park)
        if county is None:
            continue
        if p.investor_id and p.stage in PURSUIT:
            by_firm[p.investor_id][county].append(p.id)
            firm_segments[p.investor_id].update(p.segments)
        if rank(p.stage) >= rank(ProjectStage.contact):
            for s in p.segments:
                by_segment[s][county].append(p.id)
    for c in atlas.campaigns.values():
        if c.county is None:
            continue
        for t in c.targets:
            if t.status != "已放弃":
                by_firm[t.company][c.county].append(c.id)
                firm_segments[t.company].update(c.segments)
    for firm_id, places in sorted(by_firm.items()):
        if len(places) > 1:
            firm = atlas.companies.get(firm_id)
            out.append(_clash(atlas, "same_target", firm_id, firm.name if firm else firm_id,
                              places, firm_segments[firm_id], "对接同一目标企业"))
    for seg_id, places in sorted(by_segment.items()):
        if len(places) > 1:
            seg = atlas.segments.get(seg_id)
            out.append(_clash(atlas, "same_segment", seg_id, seg.name if seg else seg_id,
                              places, {seg_id}, "招引建设同一环节"))
    return out

"""Local presence of a segment in a region: which local firms and projects count.

Rule (see README "Gap rules"):

* A **local firm** (role anchor or local) counts in a segment when it is in the region
  (city-wide: every local firm; a county: firms with that county; a park: firms in that
  park) and operates there with ``weight >= presence.min_weight`` and an evidence grade in
  ``presence.grades``.
* A **project** in the region at a producing stage (``presence.producing_stages``, default
  投产/达效) counts as one operator, unless its investor already counts as a local firm
  there (no double counting). Projects at earlier stages (线索…开工) are listed as
  *in pipeline* and do not count; 终止 projects are ignored. City-wide, projects whose
  county is not recorded are included; a county or park view needs the county or park.
* An **anchor** is a counted firm with role anchor or a tag in ``status.anchor_tags``;
  an **above-scale** firm has a tag in ``status.scale_tags`` or is an anchor.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.analysis.index import AnalysisIndex
from graph.analysis.rules import Rules
from graph.errors import NotFound
from graph.model import Atlas, Company, Project, ProjectStage, Role


@dataclass(frozen=True)
class RegionFilter:
    """A region of the city: everything (both None), a county, or a park."""

    county: str | None = None
    park: str | None = None

    @property
    def id(self) -> str | None:
        return self.park or self.county

    def has_firm(self, c: Company) -> bool:
        if c.role is Role.target:
            return False
        if self.park is not None:
            return c.park == self.park
        return self.county is None or c.county == self.county

    def has_project(self, p: Project) -> bool:
        if self.park is not None:
            return p.park == self.park
        return self.county is None or p.county == self.county


def region_filter(atlas: Atlas, county: str | None, park: str | None) -> RegionFilter:
    """Check the ids and build the filter; NotFound for an unknown county or park."""
    if county is not None and county not in atlas.counties:
        raise NotFound(f"no county {county!r}", details=[{"field": "county", "value": county}])
    if park is not None and park not in atlas.parks:
        raise NotFound(f"no park {park!r}", details=[{"field": "park", "value": park}])
    if county is not None and park is not None and atlas.parks[park].county != county:
        raise NotFound(f"park {park!r} is not in county {county!r}",
                       details=[{"field": "park", "value": park}])
    return RegionFilter(county, park)


@dataclass(frozen=True)
class Presence:
    """Who counts in one segment of one region."""

    firms: tuple[str, ...]
    anchors: tuple[str, ...]
    scale_firms: tuple[str, ...]
    producing: tuple[str, ...]
    pipeline: tuple[str, ...]
    mass: float

    @property
    def count(self) -> int:
        return len(self.firms) + len(self.producing)

    @property
    def present(self) -> bool:
        return self.count > 0


def is_anchor(c: Company, rules: Rules) -> bool:
    return c.role is Role.anchor or any(t in rules.status.anchor_tags for t in c.tags)


def is_scale(c: Company, rules: Rules) -> bool:
    return is_anchor(c, rules) or any(t in rules.status.scale_tags for t in c.tags)


def presence(idx: AnalysisIndex, segment_id: str, region: RegionFilter, rules: Rules
             ) -> Presence:
    """Local firms, anchors and projects of ``segment_id`` in ``region`` (see module rule)."""
    p = rules.presence
    best: dict[str, float] = {}
    for op in idx.ops_by_segment.get(segment_id, ()):
        c = idx.company(op.company)
        grade = op.src.grade
        if c is None or not region.has_firm(c) or op.weight < p.min_weight:
            continue
        if grade is not None and grade not in p.grades:
            continue
        best[c.id] = max(best.get(c.id, 0.0), op.weight)
    firms = tuple(sorted(best))
    companies = [idx.atlas.companies[f] for f in firms]
    anchors = tuple(c.id for c in companies if is_anchor(c, rules))
    scale = tuple(c.id for c in companies if is_scale(c, rules))
    producing: list[str] = []
    pipeline: list[str] = []
    for proj in idx.projects_by_segment.get(segment_id, ()):
        if proj.stage is ProjectStage.terminated or not region.has_project(proj):
            continue
        if proj.stage in p.producing_stages:
            if proj.investor_id not in best:
                producing.append(proj.id)
        else:
            pipeline.append(proj.id)
    mass = sum(w * (2.0 if f in anchors else 1.5 if f in scale else 1.0)
               for f, w in best.items()) + len(producing)
    return Presence(firms, anchors, scale, tuple(producing), tuple(pipeline), mass)

"""Local presence of a segment in a region: which firms, projects, facts and co-products count.

Rule (see README "Gap rules", rules version 2):

* A **local firm** (role anchor or local) counts in a segment when it is in the region
  (city-wide: every local firm; a county: firms with that county; a park: firms in that
  park) and operates there with ``weight >= presence.min_weight`` and an evidence grade in
  ``presence.grades``. Its **credit** is 1, or ``presence.inferred_factor`` when the link is
  *inferred*: the operates link says ``inferred: true``, or the company lists one of
  ``presence.inferred_link_attrs`` (default ``segments``, ``name``) in ``inferred``, or —
  in a county or park view — its county or park is inferred.
* A **project** in the region at a producing stage (``presence.producing_stages``, default
  投产/达效) counts as one operator (credit 1), unless its investor already counts as a local
  firm there (no double counting). Projects at earlier stages (线索…开工) are listed as
  *in pipeline* and do not count; 终止 projects are ignored. City-wide, projects whose
  county is not recorded are included; a county or park view needs the county or park, and
  lists the unplaced ones (``unplaced``: they may lie in the region).
* A **fact** (``presence.facts``) on the segment in the region (city-wide: every fact; a
  county: facts of that county or of one of its parks; a park: facts of that park) counts as
  documented presence; ``change: 淘汰`` never counts (listed as cut), ``在建`` is pipeline.
  In a county or park view, facts for the whole city or without the park are *unplaced*.
* A **scale verdict**: an assessment of the segment in the region whose verdict is in
  ``status.scale_verdicts`` (超过百亿) documents output at scale and counts as presence.
* A **co-product** (``presence.co_products``): where a segment ``S`` with
  ``co_produces S → T`` is directly present (firms, producing projects or facts), ``T`` is
  present too; ``S``'s firms and producing projects are ``T``'s co-producers (same credit).
* An **anchor** is a counted firm with role anchor or a tag in ``status.anchor_tags``; it
  is an *inferred anchor* (not an anchor for the status rules) when its link is inferred or
  the attribute that makes it an anchor (``role`` or ``tags``) is inferred. An
  **above-scale** firm has a tag in ``status.scale_tags`` or is an anchor, and is not inferred.

Example: a segment with a local firm, an anchor whose segment link was guessed from its name
(``inferred: [segments]``) and a 投产 project has firms (both), anchors (none: the anchor is an
inferred anchor), producing (the project) and operators 1 + 0.5 + 1 = 2.5.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from graph.analysis.index import AnalysisIndex, analysis_index
from graph.analysis.rules import Rules, default_rules
from graph.errors import NotFound
from graph.model import Atlas, Company, Fact, Grade, Operates, Project, ProjectStage, Role, Source


@dataclass(frozen=True)
class RegionFilter:
    """A region of the city: everything (both None), a county, or a park."""

    county: str | None = None
    park: str | None = None

    @property
    def id(self) -> str | None:
        return self.park or self.county

    @property
    def citywide(self) -> bool:
        return self.county is None and self.park is None

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

    def has_place(self, county: str | None, park: str | None, park_county: str | None) -> bool:
        """Whether evidence placed at ``county``/``park`` (``park_county``: the park's
        county) lies in the region."""
        if self.park is not None:
            return park == self.park
        return self.county is None or self.county in (county, park_county)

    def unplaced(self, county: str | None, park: str | None) -> bool:
        """Evidence that might lie in the region but is not placed finely enough to say."""
        if self.citywide:
            return False
        if self.park is not None:
            return park is None and county in (None, self.county)
        return county is None and park is None


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
class Evidence:
    """One independent item behind a segment's presence: a firm, a producing project, a fact
    or a co-producer, with its grade and whether it was inferred."""

    id: str
    kind: str
    grade: Grade
    inferred: bool
    credit: float


@dataclass(frozen=True)
class Presence:
    """Who and what counts in one segment of one region."""

    firms: tuple[str, ...]
    anchors: tuple[str, ...]
    scale_firms: tuple[str, ...]
    producing: tuple[str, ...]
    pipeline: tuple[str, ...]
    mass: float
    inferred_firms: tuple[str, ...] = ()
    inferred_anchors: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    pipeline_facts: tuple[str, ...] = ()
    cut_facts: tuple[str, ...] = ()
    co_producers: tuple[str, ...] = ()
    co_sources: tuple[str, ...] = ()
    unplaced: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    scale_assessments: tuple[str, ...] = ()
    scale_facts: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        """Named operators: counted firms and producing projects."""
        return len(self.firms) + len(self.producing)

    @property
    def operators(self) -> float:
        """Independent operators, credit-weighted (firms, producing projects, co-producers)."""
        return round(sum(e.credit for e in self.evidence if e.kind != "fact"), 4)

    @property
    def own_operators(self) -> float:
        """Independent operators without the co-producers."""
        return round(sum(e.credit for e in self.evidence if e.kind in ("firm", "project")), 4)

    @property
    def present(self) -> bool:
        return bool(self.count or self.facts or self.co_producers or self.scale_assessments)

    @property
    def direct(self) -> bool:
        """Present through its own firms, projects or facts (not only as a co-product)."""
        return bool(self.count or self.facts or self.scale_assessments)

    @property
    def documented_scale(self) -> bool:
        """A counted fact at scale (``status.scale_facts``) or a scale verdict (超过百亿)."""
        return bool(self.scale_facts or self.scale_assessments)


def is_anchor(c: Company, rules: Rules) -> bool:
    return c.role is Role.anchor or any(t in rules.status.anchor_tags for t in c.tags)


def is_scale(c: Company, rules: Rules) -> bool:
    return is_anchor(c, rules) or any(t in rules.status.scale_tags for t in c.tags)


def anchor_inferred(c: Company, rules: Rules) -> bool:
    """Whether what makes ``c`` an anchor (its role, or its anchor tags) was inferred."""
    by_role = c.role is Role.anchor and "role" not in c.inferred
    by_tag = any(t in rules.status.anchor_tags for t in c.tags) and "tags" not in c.inferred
    return not (by_role or by_tag)


def link_inferred(op: Operates, c: Company, region: RegionFilter, rules: Rules) -> bool:
    """Whether the firm's presence in the segment (in the region) was inferred."""
    if op.inferred or any(a in c.inferred for a in rules.presence.inferred_link_attrs):
        return True
    if region.park is not None and "park" in c.inferred:
        return True
    return not region.citywide and "county" in c.inferred


def _grade(src: Source) -> Grade:
    return src.grade or Grade.medium


def _fact_in(idx: AnalysisIndex, f: Fact, region: RegionFilter) -> bool:
    park = idx.atlas.parks.get(f.park or "")
    return region.has_place(f.county, f.park, park.county if park else None)


def presence(idx: AnalysisIndex, segment_id: str, region: RegionFilter, rules: Rules
             ) -> Presence:
    """Firms, anchors, projects, facts and co-products of ``segment_id`` in ``region`` (see
    the module rule)."""
    own = _inferred_only(direct_presence(idx, segment_id, region, rules), rules)
    if not rules.presence.co_products:
        return own
    sources = [s for s in idx.co_sources.get(segment_id, ())
               if direct_presence(idx, s, region, rules).direct]
    if not sources:
        return own
    counted = {e.id for e in own.evidence}
    extra: dict[str, Evidence] = {}
    for s in sources:
        for e in direct_presence(idx, s, region, rules).evidence:
            if e.kind != "fact" and e.id not in counted:
                extra.setdefault(e.id, Evidence(e.id, "co_producer", e.grade, e.inferred,
                                                e.credit))
    co = tuple(sorted(extra))
    return replace(own, mass=own.mass + sum(e.credit for e in extra.values()),
                   co_producers=co, co_sources=tuple(sorted(sources)),
                   evidence=own.evidence + tuple(extra[i] for i in co))


def _inferred_only(p: Presence, rules: Rules) -> Presence:
    """``p``, or — when every item is inferred and ``presence.inferred_only`` is off — ``p``
    without them (absent; the inferred firms stay listed)."""
    if rules.presence.inferred_only or not p.evidence or not all(e.inferred for e in p.evidence):
        return p
    return replace(p, firms=(), anchors=(), scale_firms=(), evidence=(), mass=0.0)


def direct_presence(idx: AnalysisIndex, segment_id: str, region: RegionFilter, rules: Rules
                    ) -> Presence:
    """Presence through the segment's own firms, projects and facts (no co-products);
    cached per (segment, region, rules) on the index."""
    key = ("direct", segment_id, region, id(rules))
    hit = idx.memo.get(key)
    if hit is not None and hit[0] is rules and isinstance(hit[1], Presence):
        return hit[1]
    out = _direct(idx, segment_id, region, rules)
    idx.memo[key] = (rules, out)  # holding ``rules`` keeps its id from being reused
    return out


def _direct(idx: AnalysisIndex, segment_id: str, region: RegionFilter, rules: Rules
            ) -> Presence:
    p = rules.presence
    best: dict[str, tuple[float, Grade, bool]] = {}
    for op in idx.ops_by_segment.get(segment_id, ()):
        c = idx.company(op.company)
        grade = _grade(op.src)
        if c is None or not region.has_firm(c) or op.weight < p.min_weight:
            continue
        if grade not in p.grades:
            continue
        inferred = link_inferred(op, c, region, rules)
        old = best.get(c.id)
        # the firm's best link: not inferred beats inferred, then weight
        if old is None or (old[2], -old[0]) > (inferred, -op.weight):
            best[c.id] = (op.weight, grade, inferred)
    firms = tuple(sorted(best))
    companies = [idx.atlas.companies[f] for f in firms]
    inferred_firms = tuple(c.id for c in companies if best[c.id][2])
    anchors_all = [c for c in companies if is_anchor(c, rules)]
    inferred_anchors = tuple(c.id for c in anchors_all
                             if best[c.id][2] or anchor_inferred(c, rules))
    anchors = tuple(c.id for c in anchors_all if c.id not in inferred_anchors)
    scale = tuple(c.id for c in companies if c.id not in inferred_firms
                  and (c.id in anchors or (is_scale(c, rules) and not is_anchor(c, rules)
                                           and "tags" not in c.inferred)))
    factor = p.inferred_factor
    evidence = [Evidence(f, "firm", best[f][1], best[f][2], factor if best[f][2] else 1.0)
                for f in firms]
    producing: list[str] = []
    pipeline: list[str] = []
    unplaced: list[str] = []
    for proj in idx.projects_by_segment.get(segment_id, ()):
        if proj.stage is ProjectStage.terminated:
            continue
        if not region.has_project(proj):
            if region.unplaced(proj.county, proj.park):
                unplaced.append(proj.id)
            continue
        if proj.stage in p.producing_stages:
            if proj.investor_id not in best:
                producing.append(proj.id)
                evidence.append(Evidence(proj.id, "project", _grade(proj.src), False, 1.0))
        else:
            pipeline.append(proj.id)
    facts: list[str] = []
    building: list[str] = []
    cut: list[str] = []
    for f in idx.facts_by_segment.get(segment_id, ()):
        if not _fact_in(idx, f, region):
            if region.unplaced(f.county, f.park) and f.change != "淘汰":
                unplaced.append(f.id)
            continue
        if f.change == "淘汰":
            cut.append(f.id)
        elif f.change == "在建":
            building.append(f.id)
        elif p.facts:
            facts.append(f.id)
            evidence.append(Evidence(f.id, "fact", _grade(f.src), False, 0.0))
    st = rules.status
    scale_facts = tuple(f for f in facts if (fact := idx.atlas.facts[f]).unit in st.scale_facts
                        and fact.value >= st.scale_facts[fact.unit])
    scale_verdicts: list[str] = []
    for a in idx.assessments_by_segment.get(segment_id, ()):
        park = idx.atlas.parks.get(a.park or "")
        if a.verdict in st.scale_verdicts and region.has_place(
                a.county, a.park, park.county if park else None):
            scale_verdicts.append(a.id)
            evidence.append(Evidence(a.id, "assessment", _grade(a.src), False, 0.0))
    mass = sum(w * (2.0 if f in anchors else 1.5 if f in scale else 1.0)
               * (factor if inf else 1.0) for f, (w, _, inf) in best.items())
    mass += len(producing) + 0.5 * len(facts)
    return Presence(firms, anchors, scale, tuple(producing), tuple(pipeline), mass,
                    inferred_firms, inferred_anchors, tuple(facts), tuple(building),
                    tuple(cut), unplaced=tuple(unplaced), evidence=tuple(evidence),
                    scale_assessments=tuple(scale_verdicts), scale_facts=scale_facts)


def presence_of(atlas: Atlas, segment_id: str, *, county: str | None = None,
                park: str | None = None, rules: Rules | None = None) -> Presence:
    """:func:`presence` over ``atlas`` (ids checked; shipped rules unless given)."""
    return presence(analysis_index(atlas), segment_id, region_filter(atlas, county, park),
                    rules or default_rules())

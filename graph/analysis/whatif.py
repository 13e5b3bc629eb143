"""What-if: the diagnosis after adding hypothetical firms or projects, store untouched.

Rule: each addition becomes an entity of a *copy* of the atlas (new tables; the given atlas
and its cached index are never changed), placed in the region being diagnosed (or its own
``county``/``park``); then the chain is diagnosed before and after. A hypothetical firm
(role local or anchor, optional tags) operates in its segment with weight 1 and strong
evidence; a hypothetical project counts only at a producing stage (投产/达效), otherwise it
is listed in the pipeline. Each changed segment says whether it got better, worse or
stayed at the same presence level (missing → broken is the same level, see README).

>>> Hypothetical.model_validate({"name": "某企业", "segment_id": "seg.x", "role": "anchor"}).kind
'firm'
>>> Hypothetical.model_validate({"name": "某项目", "segment_id": "seg.x", "stage": "投产"}).kind
'project'
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graph.analysis.gaps import STATUS_LEVEL, ChainDiagnosis, Status, diagnose_chain
from graph.analysis.presence import region_filter
from graph.analysis.rules import Confidence, Rules, active_rules
from graph.errors import InvalidInput, NotFound
from graph.model import Atlas, Company, Grade, Operates, Project, ProjectStage, Role, Source, Tag

WHATIF_SOURCE = Source(public="假设情景（what-if），非真实数据", as_of=dt.date(2000, 1, 1),
                       grade=Grade.strong)


class Hypothetical(BaseModel):
    """A hypothetical firm ``{name, segment_id, role, tags}`` or project
    ``{name, segment_id, stage}``; ``kind`` is inferred from ``stage`` when omitted."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["firm", "project"] | None = None
    name: str = Field(min_length=1, max_length=200)
    segment_id: str
    role: Literal["local", "anchor"] | None = None
    tags: list[Tag] = Field(default_factory=list)
    stage: ProjectStage | None = None
    county: str | None = None
    park: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.kind is None:
            self.kind = "project" if self.stage is not None else "firm"
        if self.kind == "firm" and self.stage is not None:
            raise ValueError("a hypothetical firm has no stage")
        if self.kind == "project":
            if self.stage is None:
                raise ValueError("a hypothetical project needs its stage")
            if self.role is not None or self.tags:
                raise ValueError("a hypothetical project has no role or tags")
        return self


class SegmentChange(BaseModel):
    """A segment whose status changed. ``direction`` compares presence levels (missing =
    broken < weak < strong): missing → broken is ``same_level``, not worse (the link is
    absent before and after; broken only says the absence now cuts the chain)."""

    segment_id: str
    name: str
    before: Status
    after: Status
    direction: Literal["better", "worse", "same_level"]
    confidence_before: Confidence
    confidence_after: Confidence


def direction(before: Status, after: Status) -> Literal["better", "worse", "same_level"]:
    """``better``/``worse`` by presence level (:data:`STATUS_LEVEL`), else ``same_level``.

    >>> direction("missing", "broken"), direction("weak", "strong")
    ('same_level', 'better')
    """
    a, b = STATUS_LEVEL[before], STATUS_LEVEL[after]
    return "better" if b > a else "worse" if b < a else "same_level"


class WhatIfResult(BaseModel):
    """Completeness and statuses before and after the additions."""

    chain_id: str
    region: str | None
    rules_version: str
    before: float
    after: float
    delta: float
    changed: list[SegmentChange]
    diagnosis: ChainDiagnosis = Field(description="The diagnosis after the additions.")


def _copy(atlas: Atlas) -> Atlas:
    return Atlas.from_tables({
        name: (dict(v) if isinstance(v, dict) else list(v))
        for name, v in ((n, getattr(atlas, n)) for n in Atlas.model_fields)
    })


def with_additions(atlas: Atlas, additions: list[Hypothetical], *, county: str | None = None,
                   park: str | None = None) -> Atlas:
    """A copy of ``atlas`` with the hypothetical entities added (``atlas`` is not changed)."""
    out = _copy(atlas)
    for i, h in enumerate(additions, 1):
        if h.segment_id not in atlas.segments:
            raise NotFound(f"no segment {h.segment_id!r}",
                           details=[{"field": f"additions[{i - 1}].segment_id",
                                     "value": h.segment_id}])
        place_park = h.park or park
        place_county = h.county or county or (
            atlas.parks[place_park].county if place_park in atlas.parks else None)
        region_filter(atlas, place_county, place_park)
        if h.kind == "firm":
            cid = f"co.whatif-{i}"
            out.companies[cid] = Company(
                id=cid, name=h.name, role=Role(h.role or "local"),
                county=place_county or "county.whatif", park=place_park, tags=h.tags,
                src=WHATIF_SOURCE)
            out.operates.append(Operates(company=cid, segment=h.segment_id, src=WHATIF_SOURCE))
        else:
            assert h.stage is not None
            pid = f"proj.whatif-{i}"
            out.projects[pid] = Project(id=pid, name=h.name, investor=h.name,
                                        segments=[h.segment_id], county=place_county,
                                        park=place_park, stage=h.stage, src=WHATIF_SOURCE)
    return out


def what_if(atlas: Atlas, chain_id: str, additions: list[Hypothetical], *,
            county: str | None = None, park: str | None = None, rules: Rules | None = None
            ) -> WhatIfResult:
    """Diagnose ``chain_id`` before and after ``additions``; the atlas is not mutated.

    NotFound for unknown chain/county/park/segment ids; InvalidInput when a segment is not
    part of the chain.
    """
    rules = rules or active_rules()
    before = diagnose_chain(atlas, chain_id, county=county, park=park, rules=rules)
    known = before.by_id()
    for i, h in enumerate(additions):
        if h.segment_id in atlas.segments and h.segment_id not in known:
            raise InvalidInput(f"segment {h.segment_id!r} is not in chain {chain_id!r}",
                               details=[{"field": f"additions[{i}].segment_id",
                                         "value": h.segment_id}])
    after = diagnose_chain(with_additions(atlas, additions, county=county, park=park), chain_id,
                           county=county, park=park, rules=rules)
    changed = [SegmentChange(segment_id=s.segment_id, name=s.name,
                             before=known[s.segment_id].status, after=s.status,
                             direction=direction(known[s.segment_id].status, s.status),
                             confidence_before=known[s.segment_id].confidence,
                             confidence_after=s.confidence)
               for s in after.segments if s.status != known[s.segment_id].status]
    return WhatIfResult(chain_id=chain_id, region=before.region, rules_version=rules.version,
                        before=before.completeness, after=after.completeness,
                        delta=round(after.completeness - before.completeness, 4),
                        changed=changed, diagnosis=after)

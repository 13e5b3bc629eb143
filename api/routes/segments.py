"""Segments (环节): list and detail with the firms, institutes, associations, projects,
facts, assessments and co-products around each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import Limit, Offset, ServiceDep, known, names_of
from api.errors import READ_ERRORS
from api.examples import ex
from api.schemas import Page, SegmentDetail, page
from graph.model import Segment, Stage

router = APIRouter(prefix="/segments", tags=["segments"], responses=READ_ERRORS)

SegmentId = Annotated[str, Path(description="Segment id.",
                                openapi_examples=ex("seg.nylon.caprolactam"))]


@router.get("", response_model=Page[Segment], summary="List segments (stable order by id)")
def list_segments(
    service: ServiceDep, offset: Offset = 0, limit: Limit = 100,
    chain: Annotated[str | None, Query(description="Only segments of this chain.",
                                       openapi_examples=ex("ch.coking.nylon"))] = None,
    stage: Annotated[Stage | None, Query(description="Only this stage.")] = None,
) -> Page[Segment]:
    """Segments (环节) as `{data, count}` in id order; `chain` and `stage` filter."""
    atlas = service.atlas()
    known(atlas, "chain", chain, "query.chain")
    items = [s for _, s in sorted(atlas.segments.items())
             if (chain is None or chain in s.chains) and (stage is None or s.stage == stage)]
    return page(items, offset, limit)


@router.get("/{segment_id}", response_model=SegmentDetail,
            summary="A segment with its feeds, firms, institutes, associations and projects")
def get_segment(segment_id: SegmentId, service: ServiceDep) -> SegmentDetail:
    """A segment with its feeds edges up and down, the firms operating there, the institutes
    supporting and associations covering it, and its projects."""
    seg = service.typed(segment_id, Segment)
    atlas = service.atlas()
    up = [f for f in atlas.feeds if f.target == seg.id]
    down = [f for f in atlas.feeds if f.source == seg.id]
    operates = [r for r in atlas.operates if r.segment == seg.id]
    supports = [r for r in atlas.supports if r.segment == seg.id]
    covers = [r for r in atlas.covers if r.segment == seg.id]
    projects = [p for _, p in sorted(atlas.projects.items()) if seg.id in p.segments]
    facts = [f for _, f in sorted(atlas.facts.items()) if f.segment == seg.id]
    verdicts = [a for _, a in sorted(atlas.assessments.items()) if a.segment == seg.id]
    co = [r for r in atlas.co_produces if seg.id in (r.source, r.target)]
    ids = [*seg.chains, *(f.source for f in up), *(f.target for f in down),
           *(r.company for r in operates), *(r.institute for r in supports),
           *(r.association for r in covers), *(r.source for r in co), *(r.target for r in co),
           *(f.county for f in facts if f.county), *(a.county for a in verdicts if a.county)]
    return SegmentDetail(segment=seg, upstream=up, downstream=down, operates=operates,
                         supports=supports, covers=covers, projects=projects, facts=facts,
                         assessments=verdicts, co_produces=co, names=names_of(atlas, ids))

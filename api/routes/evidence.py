"""Evidence without a named firm (facts: capacities, outputs, counts for a place) and the
city's own assessments of segments (空白 短板 … 优势 超过百亿): filtered lists and details.
Writes go through the generic routes (``POST /facts``, ``POST /assessments``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Path, Query

from api.deps import Limit, Offset, ServiceDep, known
from api.errors import READ_ERRORS
from api.schemas import Page, page
from graph.model import Assessment, Atlas, Fact, Verdict

router = APIRouter(responses=READ_ERRORS)

E = TypeVar("E", Fact, Assessment)

SegmentFilter = Annotated[str | None, Query(description="Only evidence on this segment.",
                                            examples=["seg.agri.coldchain"])]
CountyFilter = Annotated[str | None, Query(description="Only evidence for this county.",
                                           examples=["county.linyi"])]
ParkFilter = Annotated[str | None, Query(description="Only evidence for this park.",
                                         examples=["park.linyi-kfq"])]


def _matching(atlas: Atlas, items: Iterable[E], segment: str | None, county: str | None,
              park: str | None) -> list[E]:
    """``items`` on ``segment`` in ``county``/``park`` (None: any), in id order; 422 for
    unknown ids."""
    known(atlas, "segment", segment, "query.segment")
    known(atlas, "county", county, "query.county")
    known(atlas, "park", park, "query.park")
    return sorted((e for e in items
                   if (segment is None or e.segment == segment)
                   and (county is None or e.county == county)
                   and (park is None or e.park == park)), key=lambda e: e.id)


@router.get("/facts", response_model=Page[Fact], tags=["evidence"],
            summary="List facts (capacities, outputs, counts for a place), stable order by id")
def list_facts(service: ServiceDep, offset: Offset = 0, limit: Limit = 100,
               segment: SegmentFilter = None, county: CountyFilter = None,
               park: ParkFilter = None) -> Page[Fact]:
    atlas = service.atlas()
    return page(_matching(atlas, atlas.facts.values(), segment, county, park), offset, limit)


@router.get("/facts/{fact_id}", response_model=Fact, tags=["evidence"], summary="A fact")
def get_fact(fact_id: Annotated[str, Path(description="Fact id.",
                                          examples=["fact.linyi-cold-storage"])],
             service: ServiceDep) -> Fact:
    return service.typed(fact_id, Fact)


@router.get("/assessments", response_model=Page[Assessment], tags=["evidence"],
            summary="List the city's own assessments of segments, stable order by id")
def list_assessments(
    service: ServiceDep, offset: Offset = 0, limit: Limit = 100,
    segment: SegmentFilter = None, county: CountyFilter = None, park: ParkFilter = None,
    verdict: Annotated[Verdict | None, Query(description="Only this verdict.")] = None,
) -> Page[Assessment]:
    atlas = service.atlas()
    items = _matching(atlas, atlas.assessments.values(), segment, county, park)
    return page([a for a in items if verdict is None or a.verdict == verdict], offset, limit)


@router.get("/assessments/{assessment_id}", response_model=Assessment, tags=["evidence"],
            summary="An assessment")
def get_assessment(
    assessment_id: Annotated[str, Path(description="Assessment id.",
                                       examples=["assess.nylon-caprolactam"])],
    service: ServiceDep,
) -> Assessment:
    return service.typed(assessment_id, Assessment)

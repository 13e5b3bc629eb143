"""Response and request models shared by routes (field names English snake_case)."""

from __future__ import annotations

import datetime as dt
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from graph.model import (
    Assessment,
    Association,
    Chain,
    Company,
    Cooperates,
    CoProduces,
    County,
    Covers,
    Fact,
    Feeds,
    Institute,
    MemberOf,
    Operates,
    Park,
    Project,
    ProjectStage,
    Segment,
    Supplies,
    Supports,
)

T = TypeVar("T")

Names = dict[str, str]
NAMES_DOC = "Display name of every id referenced in this response."


class Page(BaseModel, Generic[T]):
    """A page of a list: ``data`` plus the total ``count`` before paging."""

    data: list[T]
    count: int = Field(description="Number of items before paging.", examples=[42])


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    version: int = Field(description="Store version (grows with every write).", examples=[3])
    counts: dict[str, int] = Field(examples=[{"chain": 4, "company": 30}])


class ChainDetail(BaseModel):
    """A chain with its segments, its feeds edges and its sub-chains."""

    chain: Chain
    segments: list[Segment]
    feeds: list[Feeds]
    children: list[str] = Field(description="Ids of sub-chains (parent = this chain).")
    names: Names = Field(description=NAMES_DOC)


class SegmentDetail(BaseModel):
    """A segment with the firms, institutes, associations and projects around it."""

    segment: Segment
    upstream: list[Feeds] = Field(description="Feeds edges into this segment.")
    downstream: list[Feeds] = Field(description="Feeds edges out of this segment.")
    operates: list[Operates]
    supports: list[Supports]
    covers: list[Covers]
    projects: list[Project]
    facts: list[Fact] = Field(default_factory=list,
                              description="Documented capacities, outputs, counts on it.")
    assessments: list[Assessment] = Field(default_factory=list,
                                          description="The city's own judgements of it.")
    co_produces: list[CoProduces] = Field(
        default_factory=list, description="Co-product links from or to this segment.")
    names: Names = Field(description=NAMES_DOC)


class CompanyDetail(BaseModel):
    """A firm with every relation it takes part in; each carries its own provenance."""

    company: Company
    operates: list[Operates]
    supplies: list[Supplies] = Field(description="As supplier or as customer.")
    member_of: list[MemberOf]
    cooperates: list[Cooperates]
    projects: list[Project] = Field(description="Projects whose investor is this firm.")
    names: Names = Field(description=NAMES_DOC)


class InstituteDetail(BaseModel):
    institute: Institute
    supports: list[Supports]
    cooperates: list[Cooperates]
    names: Names = Field(description=NAMES_DOC)


class AssociationDetail(BaseModel):
    association: Association
    covers: list[Covers]
    members: list[MemberOf]
    names: Names = Field(description=NAMES_DOC)


class CountyDetail(BaseModel):
    county: County
    parks: list[Park]
    companies: list[str] = Field(description="Ids of local firms in the county.")
    projects: list[str] = Field(description="Ids of projects in the county.")
    names: Names = Field(description=NAMES_DOC)


class ParkDetail(BaseModel):
    park: Park
    companies: list[str] = Field(description="Ids of firms in the park.")
    projects: list[str] = Field(description="Ids of projects in the park.")
    names: Names = Field(description=NAMES_DOC)


class StageChange(BaseModel):
    """Move a project to another stage (项目四库 lifecycle): one stage at a time; moving
    back or to 终止 needs a reason; who, when and why are kept in its history."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"stage": "签约", "by": "新材料招商专班", "reason": "签订投资协议",
                      "date": "2026-11-20"}]})

    stage: ProjectStage
    by: str = Field(min_length=1, max_length=100, description="Who makes the change.")
    reason: str = Field(default="", max_length=1000,
                        description="Why (required to move back or to 终止).")
    date: dt.date | None = Field(default=None, description="When; today when omitted.")
    rev: int | None = Field(default=None, ge=0, description=(
        "The project's rev the change is based on (compare-and-set: 409 if it moved on); "
        "omitted: the lifecycle rule is still checked against the current stage."))


class Deleted(BaseModel):
    """What a delete removed."""

    id: str = Field(examples=["co.example"])
    deleted: bool = True


def page(items: list[T], offset: int, limit: int) -> Page[T]:
    """The ``limit`` items after ``offset`` of ``items`` (already in their stable order)."""
    return Page(data=items[offset:offset + limit], count=len(items))


def whole(items: list[T]) -> Page[T]:
    """All of ``items`` as one page (routes whose size is bounded by a ``top`` parameter)."""
    return Page(data=items, count=len(items))

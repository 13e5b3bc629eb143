"""Response models shared by routes."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

from graph.model import Feeds, Segment

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list: ``data`` plus the total ``count`` before paging."""

    data: list[T]
    count: int


class Health(BaseModel):
    status: str
    version: int
    counts: dict[str, int]


class ChainDetail(BaseModel):
    id: str
    name: str
    cluster: str
    parent: str | None
    description: str
    segments: list[Segment]
    feeds: list[Feeds]

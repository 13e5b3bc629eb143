"""Input models of a seed file (see ``seeds/README.md``).

A seed file is a YAML mapping whose keys are sections. Entity sections hold
entities (``facts`` and ``assessments`` too, usually in ``seeds/evidence/``); some entity
inputs carry relations inline (a company's ``segments``,
an institute's ``segments``, an association's ``segments`` and ``members``),
which the loader expands into relation records that inherit the entity's source
unless they give their own.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from graph.model import (
    Assessment,
    Association,
    Chain,
    Company,
    County,
    Fact,
    Grade,
    Institute,
    Park,
    Project,
    Segment,
    Source,
    Strict,
)


class Document(Strict):
    """A source document registered in ``seeds/reference/documents.yaml``."""

    file: str
    title: str
    date: dt.date
    publisher: str = ""


class Defaults(Strict):
    """File-level defaults for sources that omit them."""

    as_of: dt.date | None = None
    grade: Grade | None = None


class OperatesIn(Strict):
    """Inline operates relation under a company."""

    segment: str
    weight: Annotated[float, Field(gt=0, le=1)] = 1.0
    products: list[str] = Field(default_factory=list)
    evidence: str = ""
    inferred: bool = False
    src: Source | None = None


class SupplyIn(Strict):
    """Inline supplies relation under a company: this company supplies ``customer``."""

    customer: str
    product: str = ""
    src: Source | None = None


class UseIn(Strict):
    """Inline uses relation under a company: it uses ``product`` of ``segment`` (a customer
    lead, not a producer)."""

    segment: str
    product: str = ""
    src: Source | None = None


def _segment_ref(v: Any) -> Any:
    return {"segment": v} if isinstance(v, str) else v


class CompanyIn(Company):
    segments: list[Annotated[OperatesIn, BeforeValidator(_segment_ref)]] = Field(
        default_factory=list)
    memberships: list[str] = Field(default_factory=list)
    institutes: list[str] = Field(default_factory=list)
    supplies_to: list[SupplyIn] = Field(default_factory=list)
    uses: list[UseIn] = Field(default_factory=list)


class InstituteIn(Institute):
    segments: list[str] = Field(default_factory=list)


class AssociationIn(Association):
    segments: list[str] = Field(default_factory=list)
    members: list[str] = Field(default_factory=list)


class PathIn(Strict):
    """A feeds path: consecutive segments feed each other within ``chain``."""

    chain: str
    path: list[str] = Field(min_length=2)
    src: Source


SECTION_MODELS: dict[str, type[Strict]] = {
    "chains": Chain,
    "segments": Segment,
    "companies": CompanyIn,
    "institutes": InstituteIn,
    "associations": AssociationIn,
    "counties": County,
    "parks": Park,
    "projects": Project,
    "paths": PathIn,
    "facts": Fact,
    "assessments": Assessment,
}

RELATION_SECTIONS = ("feeds", "operates", "supplies", "uses", "supports", "covers",
                     "member_of", "cooperates", "co_produces")
META_SECTIONS = ("documents", "defaults", "notes", "city")
ALL_SECTIONS = (*SECTION_MODELS, *RELATION_SECTIONS, *META_SECTIONS)

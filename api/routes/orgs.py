"""Institutes (高校/科研院所/平台) and associations (商协会/联盟): lists and details."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import Limit, Offset, ServiceDep, known, names_of
from api.errors import READ_ERRORS
from api.examples import ex
from api.schemas import AssociationDetail, InstituteDetail, Page, page
from graph.model import Association, Institute

router = APIRouter(responses=READ_ERRORS)

SegmentFilter = Annotated[str | None, Query(description="Only those linked to this segment.",
                                            openapi_examples=ex("seg.nylon.caprolactam"))]
KindFilter = Annotated[str | None, Query(description="Only this kind (e.g. 高校, 商会).",
                                         openapi_examples=ex("高校"))]


@router.get("/institutes", response_model=Page[Institute], tags=["institutes"],
            summary="List institutes (stable order by id)")
def list_institutes(service: ServiceDep, offset: Offset = 0, limit: Limit = 100,
                    kind: KindFilter = None, segment: SegmentFilter = None) -> Page[Institute]:
    """Universities, institutes, platforms and labs as `{data, count}`; `kind` and `segment`
    filter."""
    atlas = service.atlas()
    known(atlas, "segment", segment, "query.segment")
    linked = {r.institute for r in atlas.supports if r.segment == segment}
    items = [i for _, i in sorted(atlas.institutes.items())
             if (kind is None or i.kind == kind) and (segment is None or i.id in linked)]
    return page(items, offset, limit)


@router.get("/institutes/{institute_id}", response_model=InstituteDetail, tags=["institutes"],
            summary="An institute with the segments it supports and the firms it works with")
def get_institute(
    institute_id: Annotated[str, Path(description="Institute id.",
                                      openapi_examples=ex("inst.tyut"))],
    service: ServiceDep,
) -> InstituteDetail:
    """An institute with the segments it supports and the firms it cooperates with (usable as
    connectors to target firms)."""
    inst = service.typed(institute_id, Institute)
    atlas = service.atlas()
    supports = [r for r in atlas.supports if r.institute == inst.id]
    coop = [r for r in atlas.cooperates if r.institute == inst.id]
    ids = [*(r.segment for r in supports), *(r.company for r in coop)]
    return InstituteDetail(institute=inst, supports=supports, cooperates=coop,
                           names=names_of(atlas, ids))


@router.get("/associations", response_model=Page[Association], tags=["associations"],
            summary="List associations (stable order by id)")
def list_associations(service: ServiceDep, offset: Offset = 0, limit: Limit = 100,
                      kind: KindFilter = None, segment: SegmentFilter = None
                      ) -> Page[Association]:
    """Chambers, associations, alliances and societies as `{data, count}`; `kind` and `segment`
    filter."""
    atlas = service.atlas()
    known(atlas, "segment", segment, "query.segment")
    linked = {r.association for r in atlas.covers if r.segment == segment}
    items = [a for _, a in sorted(atlas.associations.items())
             if (kind is None or a.kind == kind) and (segment is None or a.id in linked)]
    return page(items, offset, limit)


@router.get("/associations/{association_id}", response_model=AssociationDetail,
            tags=["associations"], summary="An association with its segments and members")
def get_association(
    association_id: Annotated[str, Path(description="Association id.",
                                        openapi_examples=ex("assoc.cpcif"))],
    service: ServiceDep,
) -> AssociationDetail:
    """An association with the segments it covers and its member firms (a shared association is
    a connector to a target)."""
    assoc = service.typed(association_id, Association)
    atlas = service.atlas()
    covers = [r for r in atlas.covers if r.association == assoc.id]
    members = [r for r in atlas.member_of if r.association == assoc.id]
    ids = [*(r.segment for r in covers), *(r.company for r in members)]
    return AssociationDetail(association=assoc, covers=covers, members=members,
                             names=names_of(atlas, ids))

"""Companies: filtered list and detail with every relation and its provenance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import Limit, Offset, ServiceDep, known, names_of
from api.errors import READ_ERRORS
from api.examples import ex
from api.schemas import CompanyDetail, Page, page
from graph.model import Company, Role, Tag

router = APIRouter(prefix="/companies", tags=["companies"], responses=READ_ERRORS)

CompanyId = Annotated[str, Path(description="Company id (stock code, credit code or co.<slug>).",
                                openapi_examples=ex("600426.SH"))]


@router.get("", response_model=Page[Company],
            summary="List companies, filtered (stable order by id)")
def list_companies(
    service: ServiceDep, offset: Offset = 0, limit: Limit = 100,
    role: Annotated[Role | None, Query(description="anchor, local or target.")] = None,
    county: Annotated[str | None, Query(description="Only firms in this county.",
                                        openapi_examples=ex("county.hejin"))] = None,
    park: Annotated[str | None, Query(description="Only firms in this park.",
                                      openapi_examples=ex("park.hejin-kfq"))] = None,
    segment: Annotated[str | None, Query(description="Only firms operating in this segment.",
                                         openapi_examples=ex("seg.nylon.caprolactam"))] = None,
    chain: Annotated[str | None, Query(
        description="Only firms operating in a segment of this chain.",
        openapi_examples=ex("ch.coking.nylon"))] = None,
    tag: Annotated[Tag | None, Query(description="Only firms with this tag.")] = None,
) -> Page[Company]:
    """Firms as `{data, count}` in id order, filtered by role (anchor, local, target), county,
    park, segment, chain or tag."""
    atlas = service.atlas()
    known(atlas, "county", county, "query.county")
    known(atlas, "park", park, "query.park")
    known(atlas, "segment", segment, "query.segment")
    known(atlas, "chain", chain, "query.chain")
    segs = ({segment} if segment else None)
    if chain is not None:
        in_chain = {s.id for s in atlas.chain_segments(chain)}
        segs = in_chain if segs is None else segs & in_chain
    active = None if segs is None else {r.company for r in atlas.operates if r.segment in segs}
    items = [c for _, c in sorted(atlas.companies.items())
             if (role is None or c.role == role) and (county is None or c.county == county)
             and (park is None or c.park == park) and (tag is None or tag in c.tags)
             and (active is None or c.id in active)]
    return page(items, offset, limit)


@router.get("/{company_id}", response_model=CompanyDetail,
            summary="A company with all its relations (each with its source)")
def get_company(company_id: CompanyId, service: ServiceDep) -> CompanyDetail:
    """A firm with every relation it takes part in (operates, supplies, member_of, cooperates),
    the projects it invests in and the names of every referenced id; each relation carries
    its own source."""
    co = service.typed(company_id, Company)
    atlas = service.atlas()
    operates = [r for r in atlas.operates if r.company == co.id]
    supplies = [r for r in atlas.supplies if co.id in (r.supplier, r.customer)]
    member_of = [r for r in atlas.member_of if r.company == co.id]
    cooperates = [r for r in atlas.cooperates if r.company == co.id]
    projects = [p for _, p in sorted(atlas.projects.items()) if p.investor_id == co.id]
    ids = [*(r.segment for r in operates), *(r.supplier for r in supplies),
           *(r.customer for r in supplies), *(r.association for r in member_of),
           *(r.institute for r in cooperates), *(x for x in (co.county, co.park) if x)]
    return CompanyDetail(company=co, operates=operates, supplies=supplies, member_of=member_of,
                         cooperates=cooperates, projects=projects, names=names_of(atlas, ids))

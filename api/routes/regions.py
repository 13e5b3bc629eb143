"""Counties (县/市/区) and parks (开发区): lists and details."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import Limit, Offset, ServiceDep, known, names_of
from api.errors import READ_ERRORS
from api.examples import ex
from api.schemas import CountyDetail, Page, ParkDetail, page
from graph.model import County, Park

router = APIRouter(responses=READ_ERRORS)


@router.get("/counties", response_model=Page[County], tags=["regions"],
            summary="List counties (stable order by id)")
def list_counties(service: ServiceDep, offset: Offset = 0, limit: Limit = 100) -> Page[County]:
    """The counties (县/市/区) as `{data, count}` in id order."""
    return page([c for _, c in sorted(service.atlas().counties.items())], offset, limit)


@router.get("/counties/{county_id}", response_model=CountyDetail, tags=["regions"],
            summary="A county with its parks, local firms and projects")
def get_county(
    county_id: Annotated[str, Path(description="County id.", openapi_examples=ex("county.hejin"))],
    service: ServiceDep,
) -> CountyDetail:
    """A county with its parks, local firms and projects (ids with their names)."""
    county = service.typed(county_id, County)
    atlas = service.atlas()
    parks = [p for _, p in sorted(atlas.parks.items()) if p.county == county.id]
    companies = sorted(c.id for c in atlas.companies.values() if c.county == county.id)
    projects = sorted(p.id for p in atlas.projects.values() if p.county == county.id)
    return CountyDetail(county=county, parks=parks, companies=companies, projects=projects,
                        names=names_of(atlas, [*(p.id for p in parks), *companies, *projects]))


@router.get("/parks", response_model=Page[Park], tags=["regions"],
            summary="List parks, filtered (stable order by id)")
def list_parks(
    service: ServiceDep, offset: Offset = 0, limit: Limit = 100,
    county: Annotated[str | None, Query(description="Only parks in this county.",
                                        openapi_examples=ex("county.hejin"))] = None,
    level: Annotated[str | None, Query(description="国家级, 省级, 市级 or 其他.",
                                       openapi_examples=ex("省级"))] = None,
) -> Page[Park]:
    """Development zones and agricultural parks as `{data, count}`; `county` and `level`
    filter."""
    atlas = service.atlas()
    known(atlas, "county", county, "query.county")
    items = [p for _, p in sorted(atlas.parks.items())
             if (county is None or p.county == county) and (level is None or p.level == level)]
    return page(items, offset, limit)


@router.get("/parks/{park_id}", response_model=ParkDetail, tags=["regions"],
            summary="A park with its firms and projects")
def get_park(
    park_id: Annotated[str, Path(description="Park id.", openapi_examples=ex("park.hejin-kfq"))],
    service: ServiceDep,
) -> ParkDetail:
    """A park with its firms and projects (ids with their names)."""
    park = service.typed(park_id, Park)
    atlas = service.atlas()
    companies = sorted(c.id for c in atlas.companies.values() if c.park == park.id)
    projects = sorted(p.id for p in atlas.projects.values() if p.park == park.id)
    return ParkDetail(park=park, companies=companies, projects=projects,
                      names=names_of(atlas, [park.county, *companies, *projects]))

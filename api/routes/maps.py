"""Interactive HTML maps (pages at the root, not under ``/api/v1``).

``/maps/chains/{chain_id}`` (``?county=``/``?park=`` pre-select a region), its
``/routes`` (技术路线图) and ``/applications`` (应用领域图), ``/maps/atlas``
and ``/maps/regions`` return ``text/html`` built by :mod:`visual`; the pages load their
scripts and styles from ``/maps/static/`` on this origin only, and every response carries a
Content-Security-Policy that forbids any other origin. Pages are cached per store version.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import ReadAuth, ServiceDep
from api.examples import ex
from api.routes.analysis import check_region
from graph.analysis.rules import active_rules
from graph.errors import NotFound
from visual.build import chain_map
from visual.overview import atlas_map, regions_map
from visual.render import ASSETS, PAGE_CSP, asset_text, render_html
from visual.routes import application_map, route_map
from visual.svg import map_svg

page_router = APIRouter(include_in_schema=False, dependencies=[ReadAuth])

SECURITY_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

ChainId = Annotated[str, Path(description="Chain id.", openapi_examples=ex("ch.coking.nylon"))]
County = Annotated[str | None, Query(description="Pre-select this county.")]
Park = Annotated[str | None, Query(description="Pre-select this park.")]


def _base(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}/maps/static"


def _page(text: str) -> HTMLResponse:
    return HTMLResponse(text, headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})


@page_router.get("/maps/chains/{chain_id}", response_class=HTMLResponse)
def chain_page(chain_id: ChainId, request: Request, service: ServiceDep,
               county: County = None, park: Park = None) -> HTMLResponse:
    """The chain map of ``chain_id``."""
    service.chain(chain_id)
    check_region(service.atlas(), county, park)
    base = _base(request)
    key = ("map", "chain", chain_id, county, park, base, active_rules().version)
    return _page(service.cached(key, lambda a: render_html(
        chain_map(a, chain_id, county=county, park=park, links=True), asset_base=base)))


@page_router.get("/maps/chains/{chain_id}/routes", response_class=HTMLResponse)
def routes_page(chain_id: ChainId, request: Request, service: ServiceDep) -> HTMLResponse:
    """The technology-route map (技术路线图) of ``chain_id``."""
    service.chain(chain_id)
    base = _base(request)
    key = ("map", "routes", chain_id, base)
    return _page(service.cached(key, lambda a: render_html(route_map(a, chain_id, links=True),
                                                           asset_base=base)))


@page_router.get("/maps/chains/{chain_id}/applications", response_class=HTMLResponse)
def applications_page(chain_id: ChainId, request: Request, service: ServiceDep) -> HTMLResponse:
    """The application-field map (应用领域图) of ``chain_id``."""
    service.chain(chain_id)
    base = _base(request)
    key = ("map", "applications", chain_id, base)
    return _page(service.cached(key, lambda a: render_html(
        application_map(a, chain_id, links=True), asset_base=base)))


@page_router.get("/maps/atlas", response_class=HTMLResponse)
def atlas_page(request: Request, service: ServiceDep) -> HTMLResponse:
    """The atlas overview: every chain, shared segments highlighted."""
    base = _base(request)
    key = ("map", "atlas", base, active_rules().version)
    return _page(service.cached(key, lambda a: render_html(atlas_map(a, links=True),
                                                           asset_base=base)))


ChainQ = Annotated[str | None, Query(description="Pre-select this chain (its choropleth).")]


@page_router.get("/maps/regions", response_class=HTMLResponse)
def regions_page(request: Request, service: ServiceDep, chain: ChainQ = None) -> HTMLResponse:
    """The regional view (区域分布图): county outlines, parks, their firms and chains."""
    base = _base(request)
    if chain:
        service.chain(chain)
    key = ("map", "regions", chain or None, base, active_rules().version)
    return _page(service.cached(key, lambda a: render_html(
        regions_map(a, links=True, chain=chain or None), asset_base=base)))


def _svg(text: str, name: str) -> Response:
    return Response(text, media_type="image/svg+xml", headers={
        **SECURITY_HEADERS, "Cache-Control": "no-cache",
        "Content-Disposition": f'inline; filename="{name}.svg"'})


@page_router.get("/maps/svg/chains/{chain_id}")
def chain_svg(chain_id: ChainId, service: ServiceDep, county: County = None,
              park: Park = None) -> Response:
    """The chain map as SVG (for print and slides)."""
    service.chain(chain_id)
    check_region(service.atlas(), county, park)
    key = ("svg", "chain", chain_id, county, park, active_rules().version)
    return _svg(service.cached(key, lambda a: map_svg(
        chain_map(a, chain_id, county=county, park=park, top=1))), chain_id)


@page_router.get("/maps/svg/atlas")
def atlas_svg(service: ServiceDep) -> Response:
    """The overview as SVG (every chain with its segments)."""
    key = ("svg", "atlas", active_rules().version)
    return _svg(service.cached(key, lambda a: map_svg(atlas_map(a, collapsed=False))), "atlas")


@page_router.get("/maps/svg/regions")
def regions_svg(service: ServiceDep, chain: ChainQ = None) -> Response:
    """The regional view as SVG (county outlines, a chain's choropleth when given)."""
    if chain:
        service.chain(chain)
    key = ("svg", "regions", chain or None, active_rules().version)
    return _svg(service.cached(key, lambda a: map_svg(regions_map(a, chain=chain or None))),
                "regions")


@page_router.get("/maps/static/{name}")
def static_asset(name: str) -> Response:
    """One of the map pages' own scripts or styles (vis-network is vendored, no CDN)."""
    if name not in ASSETS:
        raise NotFound(f"no asset {name!r}", details=[{"field": "name", "value": name}])
    return Response(asset_text(name), media_type=ASSETS[name][1],
                    headers={**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"})

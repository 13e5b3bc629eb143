"""Officer-facing HTML pages at the root: home ``/``, ``/search``, ``/maps``, profiles
(``/company/{id}``, ``/segment/{id}``, ``/institute/{id}``, ``/association/{id}``,
``/county/{id}``, ``/park/{id}``, ``/project/{id}``, …), chain pages (``/chain/{id}``,
``/chain/{id}/targets``) and briefings (``/brief/chain/{id}``,
``/brief/segment/{chain}/{segment}``, each also as ``.pdf`` and ``.png``).

Thin shells: look up, build the view (:mod:`visual.views`), render it
(:mod:`visual.pages`). Pages are cached per store version and day; they load only
``/static/site.css`` and ``/static/site.js`` and carry the maps' Content-Security-Policy.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import ReadAuth, ServiceDep
from api.routes.analysis import check_region
from api.routes.maps import SECURITY_HEADERS
from graph.analysis.rules import active_rules
from graph.errors import NotFound
from graph.model import Atlas, Chain
from graph.search import SearchIndex
from visual.export import Format, html_to
from visual.model import STAGE_ZH
from visual.pages import SITE_ASSETS, brief_html, render_page, site_asset
from visual.views import (
    KIND_ZH,
    chain_rows,
    chain_view,
    entity_path,
    home_view,
    profile_view,
    targets_view,
)

page_router = APIRouter(include_in_schema=False, dependencies=[ReadAuth])

PROFILE_KINDS = ("segment", "company", "institute", "association", "county", "park",
                 "project", "product", "campaign")
EntityId = Annotated[str, Path(min_length=1, max_length=200)]
CountyQ = Annotated[str | None, Query(max_length=100)]


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


PAGE_HEADERS = {**SECURITY_HEADERS, "Content-Security-Policy": SECURITY_HEADERS[
    "Content-Security-Policy"].replace("form-action 'none'", "form-action 'self'")}
"""The maps' headers, except that the pages' own forms (search, county) may submit."""


def _html(text: str) -> HTMLResponse:
    return HTMLResponse(text, headers={**PAGE_HEADERS, "Cache-Control": "no-cache"})


def _key(*parts: object) -> tuple[object, ...]:
    return ("page", *parts, active_rules().version, dt.date.today())


@page_router.get("/", response_class=HTMLResponse)
def home(request: Request, service: ServiceDep) -> HTMLResponse:
    """The home page: chains, top gaps and targets, pipeline, warnings, conflicts."""
    root = _root(request)
    return _html(service.cached(_key("home", root), lambda a: render_page(
        "home.html", root=root, view=home_view(a, today=dt.date.today()))))


@page_router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, service: ServiceDep,
                q: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
    """Every entity matching ``q`` (Chinese, full pinyin or initials), each linking to its page."""
    index = service.cached(("search_index",), SearchIndex)
    hits = [{"kind": h.kind, "name": h.name, "matched": h.matched,
             "link": entity_path(h.kind, h.id)} for h in index.search(q)[:200]] if q else []
    return _html(render_page("search.html", root=_root(request), q=q, hits=hits, kinds=KIND_ZH))


@page_router.get("/maps", response_class=HTMLResponse)
def maps_index(request: Request, service: ServiceDep) -> HTMLResponse:
    """Links to the overview, the regional view and every chain map."""
    root = _root(request)
    return _html(service.cached(_key("maps", root), lambda a: render_page(
        "maps.html", root=root, chains=chain_rows(a))))


def _counties(atlas: Atlas) -> list[dict[str, str]]:
    return [{"id": c.id, "name": c.name} for _, c in sorted(atlas.counties.items())]


@page_router.get("/chain/{chain_id}", response_class=HTMLResponse)
def chain_page(chain_id: EntityId, request: Request, service: ServiceDep,
               county: CountyQ = None) -> HTMLResponse:
    """A chain: its five views, segment statuses (city-wide or in ``county``), projects."""
    service.typed(chain_id, Chain)
    county = county or None
    check_region(service.atlas(), county, None)
    root = _root(request)
    return _html(service.cached(_key("chain", chain_id, county, root), lambda a: render_page(
        "chain.html", root=root, v=chain_view(a, chain_id, county), counties=_counties(a),
        stage_zh=STAGE_ZH)))


@page_router.get("/chain/{chain_id}/targets", response_class=HTMLResponse)
def targets_page(chain_id: EntityId, request: Request, service: ServiceDep) -> HTMLResponse:
    """Every gap of a chain with its top targets."""
    chain = service.typed(chain_id, Chain)
    root = _root(request)
    return _html(service.cached(_key("targets", chain_id, root), lambda a: render_page(
        "targets.html", root=root, chain=chain, groups=targets_view(a, chain_id))))


def brief_page_html(atlas: Atlas, chain_id: str, segment_id: str | None = None, *,
                    root: str = "", inline: bool = False) -> str:
    return brief_html(atlas, chain_id, segment_id, today=dt.date.today(), root=root,
                      inline=inline)


def _export(service: ServiceDep, chain_id: str, segment_id: str | None, fmt: Format
            ) -> Response:
    html = service.cached(_key("brief-inline", chain_id, segment_id),
                          lambda a: brief_page_html(a, chain_id, segment_id, inline=True))
    body = html_to(html, fmt)
    name = f"brief-{chain_id}{'-' + segment_id if segment_id else ''}.{fmt}"
    return Response(body, media_type="application/pdf" if fmt == "pdf" else "image/png",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-cache"})


@page_router.get("/brief/chain/{chain_id}.pdf")
def brief_chain_pdf(chain_id: EntityId, service: ServiceDep) -> Response:
    service.typed(chain_id, Chain)
    return _export(service, chain_id, None, "pdf")


@page_router.get("/brief/chain/{chain_id}.png")
def brief_chain_png(chain_id: EntityId, service: ServiceDep) -> Response:
    service.typed(chain_id, Chain)
    return _export(service, chain_id, None, "png")


@page_router.get("/brief/chain/{chain_id}", response_class=HTMLResponse)
def brief_chain(chain_id: EntityId, request: Request, service: ServiceDep) -> HTMLResponse:
    """The printable briefing of a chain."""
    service.typed(chain_id, Chain)
    root = _root(request)
    return _html(service.cached(_key("brief", chain_id, None, root),
                                lambda a: brief_page_html(a, chain_id, root=root)))


def _check_segment(service: ServiceDep, chain_id: str, segment_id: str) -> None:
    service.typed(chain_id, Chain)
    seg = service.atlas().segments.get(segment_id)
    if seg is None:
        raise NotFound(f"no segment {segment_id!r}", details=[{"field": "segment_id"}])


@page_router.get("/brief/segment/{chain_id}/{segment_id}.pdf")
def brief_segment_pdf(chain_id: EntityId, segment_id: EntityId, service: ServiceDep
                      ) -> Response:
    _check_segment(service, chain_id, segment_id)
    return _export(service, chain_id, segment_id, "pdf")


@page_router.get("/brief/segment/{chain_id}/{segment_id}.png")
def brief_segment_png(chain_id: EntityId, segment_id: EntityId, service: ServiceDep
                      ) -> Response:
    _check_segment(service, chain_id, segment_id)
    return _export(service, chain_id, segment_id, "png")


@page_router.get("/brief/segment/{chain_id}/{segment_id}", response_class=HTMLResponse)
def brief_segment(chain_id: EntityId, segment_id: EntityId, request: Request,
                  service: ServiceDep) -> HTMLResponse:
    """The printable briefing of one gap segment of a chain."""
    _check_segment(service, chain_id, segment_id)
    root = _root(request)
    return _html(service.cached(_key("brief", chain_id, segment_id, root),
                                lambda a: brief_page_html(a, chain_id, segment_id, root=root)))


@page_router.get("/static/{name}")
def static_asset(name: str) -> Response:
    """The pages' own stylesheet and script."""
    if name not in SITE_ASSETS:
        raise NotFound(f"no asset {name!r}", details=[{"field": "name", "value": name}])
    return Response(site_asset(name), media_type=SITE_ASSETS[name][1],
                    headers={**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"})


def _profile_route(kind: str) -> None:
    def profile(entity_id: EntityId, request: Request, service: ServiceDep) -> HTMLResponse:
        service.entity(entity_id, kind)
        root = _root(request)
        return _html(service.cached(_key("profile", kind, entity_id, root), lambda a: render_page(
            "profile.html", root=root, p=profile_view(a, kind, entity_id))))

    profile.__doc__ = f"The profile page of a {kind}."
    page_router.add_api_route(f"/{kind}/{{entity_id}}", profile, methods=["GET"],
                              response_class=HTMLResponse, name=f"{kind}_profile")


for _kind in PROFILE_KINDS:
    _profile_route(_kind)

"""Technology routes (技术路线) and application fields (应用领域) of a chain.

Rules:

* A firm's **route** for a segment is every route in ``company.routes`` whose ``product`` is
  that segment (:func:`route_of`); a firm without one has an *unknown* route there.
* A segment is **locally present** when a local or anchor firm operates in it, or in a
  segment that co-produces it (``co_produces``, e.g. 焦化 → 粗苯); targets never count.
* A **route-aware reason path** (:func:`route_paths`) is drawn only along a route the firm
  uses: for each segment the route draws on (``uses_segments``) that is locally present, one
  line ``<local segment>（本地：firms） —<route>→ <segment> ←生产— <firm>``. A PAN-based
  carbon-fibre maker (its route draws on no local segment) gets no coal-tar path; a
  pitch-based one gets the 煤焦油深加工 path. A firm with an unknown route gets none.
* :func:`allowed_upstream` filters the upstream (feeding) segments a generic reason path may
  go through: with a known route, only those the route draws on; with an unknown route, all.
* :func:`firms_on_local_routes` lists the firms (targets first) whose route for a segment
  draws on a locally present segment, e.g. pitch-based carbon fibre on local coal tar.
* :func:`chain_applications` lists a chain's application fields with their customer firms
  (users, kept apart from producers) and the segments 延链 could add.

Example: with ``route.cf.pan`` (uses nothing local) and ``route.cf.pitch`` (uses
``seg.tar``, where the local firm 永东 operates), ``route_paths(atlas, "co.pan",
"seg.cf")`` is ``[]`` and ``route_paths(atlas, "co.pitch", "seg.cf")`` is
``["焦油深加工（本地：永东） —沥青基碳纤维→ 碳纤维 ←生产— 某沥青基企业"]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel

from graph.errors import NotFound
from graph.model import Application, Atlas, Role, Route


def local_firms(atlas: Atlas, segment_id: str) -> list[str]:
    """Local or anchor firms operating in ``segment_id`` or in a segment co-producing it
    (ids, sorted)."""
    segs = {segment_id} | {cp.source for cp in atlas.co_produces if cp.target == segment_id}
    out = {op.company for op in atlas.operates if op.segment in segs
           and (c := atlas.companies.get(op.company)) is not None and c.role is not Role.target}
    return sorted(out)


def _name(atlas: Atlas, entity_id: str) -> str:
    e = atlas.find(entity_id)
    return e.name if e is not None else entity_id


def _short(atlas: Atlas, company_id: str) -> str:
    c = atlas.companies[company_id]
    alias = next((a for a in c.aliases if a.strip()), "")
    return alias if alias and len(alias) < len(c.name) else c.name


def route_of(atlas: Atlas, company_id: str, segment_id: str) -> list[Route]:
    """The routes by which ``company_id`` makes ``segment_id`` (its ``routes`` whose product is
    the segment), in the firm's order; empty when unknown. NotFound for an unknown firm.

    >>> from graph.model import Atlas
    >>> route_of(Atlas(), "co.x", "seg.x")
    Traceback (most recent call last):
    ...
    graph.errors.NotFound: no company 'co.x'
    """
    c = atlas.companies.get(company_id)
    if c is None:
        raise NotFound(f"no company {company_id!r}",
                       details=[{"field": "company_id", "value": company_id}])
    return [r for rid in c.routes if (r := atlas.routes.get(rid)) is not None
            and r.product == segment_id]


def segment_routes(atlas: Atlas, segment_id: str) -> list[Route]:
    """The routes that make ``segment_id``, by id."""
    return sorted((r for r in atlas.routes.values() if r.product == segment_id),
                  key=lambda r: r.id)


def route_paths(atlas: Atlas, company_id: str, segment_id: str) -> list[str]:
    """Reason paths from locally present segments to ``segment_id`` drawn only along the
    routes ``company_id`` uses (see the module rule); ``[]`` for an unknown route or a route
    that draws on nothing local."""
    out: list[str] = []
    firm = atlas.companies[company_id].name if company_id in atlas.companies else company_id
    for r in route_of(atlas, company_id, segment_id):
        for s in r.uses_segments:
            local = local_firms(atlas, s)
            if local:
                names = "、".join(_short(atlas, f) for f in local[:3])
                out.append(f"{_name(atlas, s)}（本地：{names}） —{r.name}→ "
                           f"{_name(atlas, segment_id)} ←生产— {firm}")
    return out


def allowed_upstream(atlas: Atlas, company_id: str, segment_id: str,
                     upstream: Iterable[str]) -> tuple[str, ...]:
    """Of the segments ``upstream`` feeding ``segment_id``, those a reason path for
    ``company_id`` may go through: with a known route, the ones its routes draw on; with an
    unknown route, all of them (in the given order)."""
    ups = tuple(upstream)
    routes = route_of(atlas, company_id, segment_id)
    if not routes:
        return ups
    used = {s for r in routes for s in r.uses_segments}
    return tuple(s for s in ups if s in used)


class RouteFit(BaseModel):
    """A firm on a route that draws on locally present segments."""

    company_id: str
    name: str
    role: Role
    route_id: str
    route_name: str
    local_segments: list[str]
    local_firms: list[str]
    paths: list[str]


def firms_on_local_routes(atlas: Atlas, segment_id: str) -> list[RouteFit]:
    """Firms whose route for ``segment_id`` draws on a locally present segment (targets first,
    then by company and route id). NotFound for an unknown segment."""
    if segment_id not in atlas.segments:
        raise NotFound(f"no segment {segment_id!r}",
                       details=[{"field": "segment_id", "value": segment_id}])
    out: list[RouteFit] = []
    for r in segment_routes(atlas, segment_id):
        here = {s: local_firms(atlas, s) for s in r.uses_segments}
        local = [s for s, firms in here.items() if firms]
        if not local:
            continue
        for c in sorted(atlas.companies.values(), key=lambda c: c.id):
            if r.id not in c.routes:
                continue
            out.append(RouteFit(
                company_id=c.id, name=c.name, role=c.role, route_id=r.id, route_name=r.name,
                local_segments=local, local_firms=sorted({f for s in local for f in here[s]}),
                paths=[p for p in route_paths(atlas, c.id, segment_id) if f"—{r.name}→" in p]))
    out.sort(key=lambda f: (f.role is not Role.target, f.company_id, f.route_id))
    return out


def chain_routes(atlas: Atlas, chain_id: str) -> list[Route]:
    """Routes of ``chain_id``: those listing the chain or making one of its segments (by
    product segment, then id). NotFound for an unknown chain."""
    if chain_id not in atlas.chains:
        raise NotFound(f"no chain {chain_id!r}", details=[{"field": "chain_id",
                                                           "value": chain_id}])
    segs = {s.id for s in atlas.chain_segments(chain_id)}
    return sorted((r for r in atlas.routes.values() if r.chain == chain_id or r.product in segs),
                  key=lambda r: (r.product, r.id))


def route_firms(atlas: Atlas, route_id: str) -> list[str]:
    """Ids of the firms producing by ``route_id``, sorted."""
    return sorted(c.id for c in atlas.companies.values() if route_id in c.routes)


class ApplicationView(BaseModel):
    """An application field with its customers (users, not producers) and extensions."""

    application_id: str
    name: str
    segment_id: str
    field: str
    products: list[str]
    customers: list[str]
    producers_local: list[str]
    extends_to: list[str]
    extends_absent: list[str]


def _view(atlas: Atlas, app: Application) -> ApplicationView:
    return ApplicationView(
        application_id=app.id, name=app.name, segment_id=app.segment, field=app.field,
        products=list(app.products), customers=list(app.customers),
        producers_local=[f for f in local_firms(atlas, app.segment) if f not in app.customers],
        extends_to=list(app.extends_to),
        extends_absent=[s for s in app.extends_to if not local_firms(atlas, s)])


def chain_applications(atlas: Atlas, chain_id: str) -> list[ApplicationView]:
    """Application fields of ``chain_id``'s segments (or naming the chain), by segment then
    id; ``extends_absent`` are the extension segments with no local firm yet. NotFound for an
    unknown chain."""
    if chain_id not in atlas.chains:
        raise NotFound(f"no chain {chain_id!r}", details=[{"field": "chain_id",
                                                           "value": chain_id}])
    segs = {s.id for s in atlas.chain_segments(chain_id)}
    apps = sorted((a for a in atlas.applications.values()
                   if a.segment in segs or a.chain == chain_id), key=lambda a: (a.segment, a.id))
    return [_view(atlas, a) for a in apps]


def application_links(atlas: Atlas) -> dict[str, set[str]]:
    """Segment → segments joined through an application field (its segment and each of its
    ``extends_to``, both directions); the extension ranking uses it as a relatedness signal."""
    out: dict[str, set[str]] = {}
    for a in atlas.applications.values():
        for s in a.extends_to:
            if s != a.segment:
                out.setdefault(a.segment, set()).add(s)
                out.setdefault(s, set()).add(a.segment)
    return out


def customers_of(atlas: Atlas, segment_id: str) -> Sequence[str]:
    """Customer firms (users) of ``segment_id``'s product named in its application fields,
    sorted; never its producers."""
    return sorted({c for a in atlas.applications.values() if a.segment == segment_id
                   for c in a.customers})

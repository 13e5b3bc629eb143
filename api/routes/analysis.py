"""Analysis: a chain's gap diagnosis, target firms for a gap, extension (延链) candidates,
the city-wide gap ranking and what-if scenarios.

GET results, and their JSON bytes, are cached per store version (``AtlasService.cached``,
see :mod:`api.responses`), keyed by the route name, its arguments and the rules version,
so a write invalidates them all at once; ids are checked inside the cached computation.
Only bounded key spaces are cached: pages of ``/gaps`` are cut per request from the cached
ranking, and targets with custom ``weights`` are computed per request.
``POST /whatif`` is computed per request: its bodies are unbounded, so caching them
would let clients grow the cache without limit.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.deps import Limit, Offset, ServiceDep, known
from api.errors import READ_ERRORS, documented
from api.examples import ex
from api.responses import cached_json, json_response
from api.schemas import Page, page, whole
from graph.analysis.extension import ExtensionItem, extension_candidates
from graph.analysis.gaps import ChainDiagnosis, GapItem, city_gaps, diagnose_chain
from graph.analysis.rules import Weights, active_rules
from graph.analysis.targets import CustomerLead, Recommendation, customer_leads, rank_targets
from graph.analysis.whatif import Hypothetical, WhatIfResult, what_if
from graph.errors import InvalidInput, NotFound
from graph.model import Atlas

router = APIRouter(tags=["analysis"], responses=READ_ERRORS)

ChainId = Annotated[str, Path(description="Chain id.", openapi_examples=ex("ch.coking.nylon"))]
County = Annotated[str | None, Query(description="Limit 'local' to this county.",
                                     openapi_examples=ex("county.hejin"))]
Park = Annotated[str | None, Query(description="Limit 'local' to this park.",
                                   openapi_examples=ex("park.hejin-kfq"))]


def check_region(atlas: Atlas, county: str | None, park: str | None, where: str = "query"
                 ) -> None:
    """422 for an unknown county or park, or a park outside the county; the field paths
    start with ``where``."""
    known(atlas, "county", county, f"{where}.county")
    known(atlas, "park", park, f"{where}.park")
    if county and park and atlas.parks[park].county != county:
        raise InvalidInput(f"park {park!r} is not in county {county!r}",
                           details=[{"field": f"{where}.park", "value": park}])


def parse_weights(text: str | None) -> Weights | None:
    """Weights from ``evidence:2,proximity:0`` (or a JSON object); unnamed components keep
    the rules' weights. Each must be finite and >= 0, and one > 0. InvalidInput with
    ``query.weights.<name>`` paths otherwise."""
    if text is None or not text.strip():
        return None
    raw: Any
    try:
        if text.lstrip().startswith("{"):
            raw = json.loads(text)
        else:
            raw = {}
            for part in text.split(","):
                name, sep, value = part.replace("=", ":").partition(":")
                if not sep:
                    raise ValueError(f"{part!r} is not name:value")
                raw[name.strip()] = float(value)
        weights = Weights.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput("invalid weights", details=[
            {"field": ".".join(["query", "weights", *map(str, e["loc"])]), "message": e["msg"]}
            for e in exc.errors()]) from None
    except ValueError as exc:
        raise InvalidInput("invalid weights", details=[
            {"field": "query.weights", "message": str(exc)}]) from None
    values = weights.model_dump()
    bad = [k for k, v in values.items() if not math.isfinite(v)]
    if bad or sum(values.values()) <= 0:
        raise InvalidInput("invalid weights", details=[
            {"field": f"query.weights.{k}", "message": "must be finite"} for k in bad]
            or [{"field": "query.weights", "message": "at least one weight must be > 0"}])
    return weights


def need_chain(atlas: Atlas, chain_id: str) -> None:
    """NotFound (404) unless ``chain_id`` is a chain of ``atlas``."""
    if chain_id not in atlas.chains:
        raise NotFound(f"no chain {chain_id!r}", details=[{"field": "id", "value": chain_id}])


@router.get("/chains/{chain_id}/gaps", response_model=ChainDiagnosis,
            summary="Status (strong/weak/missing/broken) of every segment of a chain")
async def chain_gaps(chain_id: ChainId, service: ServiceDep, county: County = None,
                     park: Park = None) -> Response:
    """The diagnosis of a chain: every segment's status (strong, weak, missing, broken) with
    its reasons (code plus Chinese message), local firms, anchors and projects, and the
    chain's completeness (weight share of present segments). `county` or `park` re-diagnoses
    it there. Cached per store version."""
    rules = active_rules()

    def compute(atlas: Atlas) -> ChainDiagnosis:
        need_chain(atlas, chain_id)
        check_region(atlas, county, park)
        return diagnose_chain(atlas, chain_id, county=county, park=park, rules=rules)

    return cached_json(service, ("gaps", chain_id, county, park, rules.version), compute)


@router.get("/chains/{chain_id}/targets", response_model=Page[Recommendation],
            summary="Outside firms to approach for one segment of a chain, best first")
async def chain_targets(
    chain_id: ChainId, service: ServiceDep,
    segment: Annotated[str, Query(description="The gap segment.",
                                  openapi_examples=ex("seg.nylon.caprolactam"))],
    top: Annotated[int, Query(ge=1, le=200, description="How many firms.",
                              openapi_examples=ex(10))] = 10,
    weights: Annotated[str | None, Query(
        max_length=500, description="Re-weight components: name:value pairs, comma-separated "
        "(evidence, market, scale, proximity, linkage, connectors, pipeline, chain_fit); "
        "others keep the rules' weights.", openapi_examples=ex("evidence:2,proximity:0"))] = None,
    county: County = None,
    product: Annotated[str | None, Query(
        max_length=100, description="Rank the makers of this product of the segment.",
        openapi_examples=ex("尼龙66切片"))] = None,
) -> Response:
    """Outside firms to approach for one gap segment, best first, as `{data, count}`: each with
    its score, its components (evidence, market, scale, proximity, linkage, connectors,
    pipeline, chain_fit), flags and plain-Chinese reasons with graph paths. `weights` re-weights the
    components for this request only."""
    rules = active_rules()
    w = parse_weights(weights)

    def compute(atlas: Atlas) -> Page[Recommendation]:
        need_chain(atlas, chain_id)
        known(atlas, "segment", segment, "query.segment")
        check_region(atlas, county, None)
        return whole(rank_targets(atlas, chain_id, segment, weights=w, top=top,
                                  county=county, rules=rules, product=product,
                                  product_field="query.product"))

    if w is not None:  # custom weights are unbounded: computed per request, never cached
        return json_response(compute(service.atlas()))
    return cached_json(service, ("targets", chain_id, segment, top, county, product,
                                 rules.version), compute)


@router.get("/chains/{chain_id}/customers", response_model=list[CustomerLead],
            summary="Customer leads for one segment: outside firms that use its product "
                    "(not producers)")
async def chain_customers(
    chain_id: ChainId, service: ServiceDep,
    segment: Annotated[str, Query(description="The segment.",
                                  openapi_examples=ex("seg.nylon.pa66"))],
    top: Annotated[int, Query(ge=1, le=200, description="How many firms.",
                              openapi_examples=ex(10))] = 10,
    county: County = None,
) -> Response:
    """Customer leads (a bare list, not enveloped yet): outside firms that use the segment's
    product (not its producers), best first, each with its reasons."""
    rules = active_rules()

    def compute(atlas: Atlas) -> list[CustomerLead]:
        need_chain(atlas, chain_id)
        known(atlas, "segment", segment, "query.segment")
        check_region(atlas, county, None)
        return customer_leads(atlas, chain_id, segment, top=top, county=county, rules=rules)

    return cached_json(service, ("customers", chain_id, segment, top, county, rules.version),
                       compute)


@router.get("/gaps", response_model=Page[GapItem],
            summary="City-wide gap ranking: every non-strong segment, highest priority first")
async def gaps(service: ServiceDep, county: County = None, offset: Offset = 0,
               limit: Limit = 100) -> Response:
    """Every non-strong segment of every chain, ranked by priority (status score × weight plus
    a bonus per present neighbour); a segment in several chains appears once, under the
    chain where it ranks highest. `county` ranks them for that county."""
    rules = active_rules()

    def ranking(atlas: Atlas) -> list[GapItem]:
        check_region(atlas, county, None)
        return city_gaps(atlas, county=county, rules=rules)

    items = service.cached(("city_gaps", county, rules.version), ranking)
    return json_response(page(items, offset, limit))


@router.get("/chains/{chain_id}/extension", response_model=Page[ExtensionItem],
            summary="Extension (延链) candidates: absent segments related to strong ones")
async def chain_extension(
    chain_id: ChainId, service: ServiceDep, county: County = None,
    top: Annotated[int, Query(ge=1, le=200, description="How many segments.",
                              openapi_examples=ex(20))] = 20,
) -> Response:
    """Extension (延链) candidates as `{data, count}`: segments absent locally that are fed by,
    or feed, the chain's strong segments, best first."""
    rules = active_rules()

    def compute(atlas: Atlas) -> Page[ExtensionItem]:
        need_chain(atlas, chain_id)
        check_region(atlas, county, None)
        return whole(extension_candidates(atlas, chain_id, county=county, rules=rules,
                                          top=top))

    return cached_json(service, ("extension", chain_id, county, top, rules.version), compute)


class WhatIfRequest(BaseModel):
    """A scenario: hypothetical firms or projects added to a chain, diagnosed in a region."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "chain_id": "ch.coking.nylon", "county": "county.hejin",
        "additions": [{"name": "某尼龙6项目", "segment_id": "seg.nylon.pa6", "stage": "签约"},
                      {"name": "某己内酰胺企业", "segment_id": "seg.nylon.caprolactam",
                       "role": "anchor", "tags": ["规上"]}]}]})

    chain_id: str = Field(description="The chain to diagnose.")
    additions: list[Hypothetical] = Field(min_length=1, max_length=50)
    county: str | None = Field(default=None, description="Region: a county id.")
    park: str | None = Field(default=None, description="Region: a park id.")


@router.post("/whatif", response_model=WhatIfResult, responses=documented(401, 404, 413, 422),
             summary="What if these firms or projects were added? Diagnosis before and after")
def whatif(req: Annotated[WhatIfRequest, Body()], service: ServiceDep) -> WhatIfResult:
    """Diagnose a chain before and after adding hypothetical firms or projects (nothing is
    written): the segments whose status changes and the completeness before and after."""
    atlas = service.atlas()
    known(atlas, "chain", req.chain_id, "body.chain_id")
    check_region(atlas, req.county, req.park, "body")
    for i, h in enumerate(req.additions):
        where = f"body.additions.{i}"
        known(atlas, "segment", h.segment_id, f"{where}.segment_id")
        check_region(atlas, h.county, h.park, where)
    return what_if(atlas, req.chain_id, req.additions, county=req.county, park=req.park,
                   rules=active_rules())

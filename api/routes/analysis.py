"""Analysis: a chain's gap diagnosis, target firms for a gap, extension (延链) candidates,
the city-wide gap ranking and what-if scenarios.

GET results are cached per store version (``AtlasService.cached``), keyed by the route
name, its arguments and the rules version, so a write invalidates them all at once.
``POST /whatif`` is computed per request: its bodies are unbounded, so caching them
would let clients grow the cache without limit.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.deps import Limit, Offset, ServiceDep, known
from api.errors import READ_ERRORS, documented
from api.schemas import Page, page
from graph.analysis.extension import ExtensionItem, extension_candidates
from graph.analysis.gaps import ChainDiagnosis, GapItem, city_gaps, diagnose_chain
from graph.analysis.rules import Weights, active_rules
from graph.analysis.targets import Recommendation, rank_targets
from graph.analysis.whatif import Hypothetical, WhatIfResult, what_if
from graph.errors import InvalidInput
from graph.model import Atlas

router = APIRouter(tags=["analysis"], responses=READ_ERRORS)

ChainId = Annotated[str, Path(description="Chain id.", examples=["ch.coking.nylon"])]
County = Annotated[str | None, Query(description="Limit 'local' to this county.",
                                     examples=["county.hejin"])]
Park = Annotated[str | None, Query(description="Limit 'local' to this park.",
                                   examples=["park.hejin-kfq"])]


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
    """Weights from ``evidence:2,region:0`` (or a JSON object); unnamed components keep
    the rules' weights. InvalidInput with ``query.weights.<name>`` paths otherwise."""
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
        return Weights.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput("invalid weights", details=[
            {"field": ".".join(["query", "weights", *map(str, e["loc"])]), "message": e["msg"]}
            for e in exc.errors()]) from None
    except ValueError as exc:
        raise InvalidInput("invalid weights", details=[
            {"field": "query.weights", "message": str(exc)}]) from None


@router.get("/chains/{chain_id}/gaps", response_model=ChainDiagnosis,
            summary="Status (strong/weak/missing/broken) of every segment of a chain")
def chain_gaps(chain_id: ChainId, service: ServiceDep, county: County = None,
               park: Park = None) -> ChainDiagnosis:
    rules = active_rules()
    service.chain(chain_id)
    check_region(service.atlas(), county, park)
    return service.cached(
        ("gaps", chain_id, county, park, rules.version),
        lambda atlas: diagnose_chain(atlas, chain_id, county=county, park=park, rules=rules))


@router.get("/chains/{chain_id}/targets", response_model=list[Recommendation],
            summary="Outside firms to approach for one segment of a chain, best first")
def chain_targets(
    chain_id: ChainId, service: ServiceDep,
    segment: Annotated[str, Query(description="The gap segment.",
                                  examples=["seg.nylon.caprolactam"])],
    top: Annotated[int, Query(ge=1, le=200, description="How many firms.", examples=[10])] = 10,
    weights: Annotated[str | None, Query(
        max_length=500, description="Re-weight components: name:value pairs, comma-separated "
        "(evidence, scale, linkage, region, connectors, pipeline, chain_fit); others keep "
        "the rules' weights.", examples=["evidence:2,region:0"])] = None,
    county: County = None,
) -> list[Recommendation]:
    rules = active_rules()
    service.chain(chain_id)
    atlas = service.atlas()
    known(atlas, "segment", segment, "query.segment")
    check_region(atlas, county, None)
    w = parse_weights(weights)
    key = ("targets", chain_id, segment, top, w, county, rules.version)
    return service.cached(key, lambda a: rank_targets(a, chain_id, segment, weights=w, top=top,
                                                      county=county, rules=rules))


@router.get("/gaps", response_model=Page[GapItem],
            summary="City-wide gap ranking: every non-strong segment, highest priority first")
def gaps(service: ServiceDep, county: County = None, offset: Offset = 0, limit: Limit = 100
         ) -> Page[GapItem]:
    rules = active_rules()
    check_region(service.atlas(), county, None)
    items = service.cached(("city_gaps", county, rules.version),
                           lambda atlas: city_gaps(atlas, county=county, rules=rules))
    return page(items, offset, limit)


@router.get("/chains/{chain_id}/extension", response_model=list[ExtensionItem],
            summary="Extension (延链) candidates: absent segments related to strong ones")
def chain_extension(
    chain_id: ChainId, service: ServiceDep, county: County = None,
    top: Annotated[int, Query(ge=1, le=200, description="How many segments.",
                              examples=[20])] = 20,
) -> list[ExtensionItem]:
    rules = active_rules()
    service.chain(chain_id)
    check_region(service.atlas(), county, None)
    return service.cached(
        ("extension", chain_id, county, top, rules.version),
        lambda atlas: extension_candidates(atlas, chain_id, county=county, rules=rules,
                                           top=top))


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
    atlas = service.atlas()
    known(atlas, "chain", req.chain_id, "body.chain_id")
    check_region(atlas, req.county, req.park, "body")
    for i, h in enumerate(req.additions):
        where = f"body.additions.{i}"
        known(atlas, "segment", h.segment_id, f"{where}.segment_id")
        check_region(atlas, h.county, h.park, where)
    return what_if(atlas, req.chain_id, req.additions, county=req.county, park=req.park,
                   rules=active_rules())

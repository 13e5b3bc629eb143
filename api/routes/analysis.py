"""Analysis: a chain's gap diagnosis, target firms for a gap, the city-wide gap ranking.

Results are cached per store version (``AtlasService.cached``), keyed by the route name,
its arguments and the rules version, so a write invalidates them all at once.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import ValidationError

from api.deps import Limit, Offset, ServiceDep, known
from api.errors import READ_ERRORS
from api.schemas import Page, page
from graph.analysis.gaps import ChainDiagnosis, GapItem, city_gaps, diagnose_chain
from graph.analysis.rules import Weights, active_rules
from graph.analysis.targets import Recommendation, rank_targets
from graph.errors import InvalidInput
from graph.model import Atlas

router = APIRouter(tags=["analysis"], responses=READ_ERRORS)

ChainId = Annotated[str, Path(description="Chain id.", examples=["ch.coking.nylon"])]
County = Annotated[str | None, Query(description="Limit 'local' to this county.",
                                     examples=["county.hejin"])]
Park = Annotated[str | None, Query(description="Limit 'local' to this park.",
                                   examples=["park.hejin-kfq"])]


def check_region(atlas: Atlas, county: str | None, park: str | None) -> None:
    """422 for an unknown county or park, or a park outside the county."""
    known(atlas, "county", county, "query.county")
    known(atlas, "park", park, "query.park")
    if county and park and atlas.parks[park].county != county:
        raise InvalidInput(f"park {park!r} is not in county {county!r}",
                           details=[{"field": "query.park", "value": park}])


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
    top: Annotated[int, Query(ge=1, le=200, description="How many firms.")] = 10,
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

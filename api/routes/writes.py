"""Writes: create, replace and delete every entity kind; add, list and remove relations.

Every write needs ``X-API-Key`` and goes through the store, which enforces referential
integrity (unknown references → 422, existing id or duplicate relation → 409, deleting
an entity other entities still reference → 409, missing → 404). A body must also read
back unchanged from its stored JSON (no NaN or infinity, no lone surrogates).

The routes are made per kind in a loop: each handler is written once against the base
types (``Entity``, ``Relation``) and :func:`typed` gives FastAPI its per-kind annotations.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from api.deps import Limit, Offset, ServiceDep, Writer
from api.errors import READ_ERRORS, WRITE_ERRORS
from api.examples import ENTITY_EXAMPLES, RELATION_EXAMPLES, body_examples, ex
from api.schemas import Deleted, Page, page
from graph.errors import InvalidInput
from graph.model import (
    ENTITY_TABLE,
    ENTITY_TYPES,
    RELATION_ENDS,
    RELATION_TYPES,
    Entity,
    Relation,
    relation_key,
)

router = APIRouter()
F = TypeVar("F", bound=Callable[..., Any])


def typed(fn: F, **annotations: Any) -> F:
    """``fn`` with the annotations of some parameters replaced (what FastAPI reads)."""
    sig = inspect.signature(fn)
    params = [p.replace(annotation=annotations.get(p.name, p.annotation))
              for p in sig.parameters.values()]
    fn.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    return fn


def persistable(item: BaseModel) -> None:
    """InvalidInput unless ``item`` survives a JSON round trip as itself (what the store
    writes must be what it reads back)."""
    try:
        back = type(item).model_validate_json(item.model_dump_json())
    except ValidationError as exc:
        raise InvalidInput("value cannot be stored", details=[
            {"field": ".".join(["body", *map(str, e["loc"])]), "message": e["msg"]}
            for e in exc.errors()]) from None
    except ValueError as exc:
        raise InvalidInput("value cannot be stored",
                           details=[{"field": "body", "message": str(exc)}]) from None
    if back != item:
        raise InvalidInput("value does not read back as written",
                           details=[{"field": "body", "message": "non-finite number?"}])


def _entity_routes(kind: str, model: type[Entity]) -> None:
    plural = ENTITY_TABLE[kind]
    tag = {"county": "regions", "park": "regions"}.get(kind, plural)
    body: Any = Annotated[model, Body(openapi_examples=body_examples(
        ENTITY_EXAMPLES[kind], f"a {kind}"))]
    ident: Any = Annotated[str, Path(alias=f"{kind}_id", description=f"{kind.capitalize()} id.",
                                openapi_examples=ex(ENTITY_EXAMPLES[kind]["id"]))]
    common: dict[str, Any] = {"tags": [tag], "responses": WRITE_ERRORS}

    def create(entity: Entity, service: ServiceDep, who: Writer) -> Entity:
        persistable(entity)
        return service.create(who, "api", entity)

    def replace(entity_id: str, entity: Entity, service: ServiceDep, who: Writer) -> Entity:
        if entity.id != entity_id:
            raise InvalidInput("id in body differs from id in path", details=[
                {"field": "body.id", "message": f"expected {entity_id!r}"}])
        persistable(entity)
        return service.update(who, "api", entity)

    def delete(entity_id: str, service: ServiceDep, who: Writer) -> Deleted:
        service.delete(who, "api", entity_id, kind)
        return Deleted(id=entity_id)

    item = f"/{plural}/{{{kind}_id}}"
    router.post(f"/{plural}", status_code=201, response_model=model,
                operation_id=f"create_{kind}", summary=f"Create a {kind}",
                description=f"Add a new {kind}. Needs `X-API-Key`. 409 when the id exists; "
                "422 lists every invalid field (`body.<field>`). Every fact needs its `src`.",
                **common)(typed(create, entity=body))
    router.put(item, response_model=model, operation_id=f"replace_{kind}",
               summary=f"Replace a {kind} (id must match)",
               description=f"Replace a {kind} whole (not a patch). Needs `X-API-Key`; the id "
               "in the path and the body must match; 404 for an unknown id.",
               **common)(typed(replace, entity_id=ident, entity=body))
    router.delete(item, response_model=Deleted, operation_id=f"delete_{kind}",
                  summary=f"Delete a {kind} and the relations at its ends",
                  description=f"Delete a {kind}. Needs `X-API-Key`. 409 while other entities "
                  "still reference it (e.g. firms in a park); its relations go with it.",
                  **common)(typed(delete, entity_id=ident))


def key_model(kind: str) -> type[BaseModel]:
    """Query model naming one relation of ``kind``: its two ends (and chain for feeds)."""
    (fa, ta), (fz, tz) = RELATION_ENDS[kind]
    ex = RELATION_EXAMPLES[kind]
    fields: dict[str, Any] = {
        fa: (str, Field(description=f"{ta} id", examples=[ex[fa]])),
        fz: (str, Field(description=f"{tz} id", examples=[ex[fz]])),
    }
    if kind == "feeds":
        fields["chain"] = (str, Field(description="chain id", examples=[ex["chain"]]))
    name = "".join(p.capitalize() for p in kind.split("_")) + "Key"
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


def _relation_routes(kind: str, model: type[Relation]) -> None:
    path = f"/relations/{kind}"
    body: Any = Annotated[model, Body(openapi_examples=body_examples(
        RELATION_EXAMPLES[kind], f"a {kind} relation"))]
    key: Any = Annotated[key_model(kind), Query()]
    (fa, _), (fz, _) = RELATION_ENDS[kind]
    common: dict[str, Any] = {"tags": ["relations"], "responses": WRITE_ERRORS}

    def list_relations(service: ServiceDep, offset: Offset = 0, limit: Limit = 100
                       ) -> Page[Relation]:
        return page(sorted(service.atlas().relations(kind), key=relation_key), offset, limit)

    def add(rel: Relation, service: ServiceDep, who: Writer) -> Relation:
        persistable(rel)
        return service.relate(who, "api", rel)

    def remove(ends: BaseModel, service: ServiceDep, who: Writer) -> Deleted:
        a, b = getattr(ends, fa), getattr(ends, fz)
        service.unrelate(who, "api", kind, a, b, getattr(ends, "chain", ""))
        return Deleted(id=f"{kind}:{a}:{b}")

    router.get(path, response_model=Page[model],  # type: ignore[valid-type]
               operation_id=f"list_{kind}", tags=["relations"], responses=READ_ERRORS,
               summary=f"List {kind} relations (stable order by ends)",
               description=f"Every `{kind}` relation with its source, as `{{data, count}}`, "
               "paged by `offset` and `limit`.")(list_relations)
    router.post(path, status_code=201, response_model=model, operation_id=f"add_{kind}",
                summary=f"Add a {kind} relation",
                description=f"Add one `{kind}` relation. Needs `X-API-Key`. 404 when an end "
                "does not exist, 409 for a duplicate.", **common)(typed(add, rel=body))
    router.delete(path, response_model=Deleted, operation_id=f"remove_{kind}",
                  summary=f"Remove a {kind} relation named by its ends",
                  description=f"Remove the `{kind}` relation between the two ends given as "
                  "query parameters. Needs `X-API-Key`; 404 when there is none.",
                  **common)(typed(remove, ends=key))


WRITABLE = tuple(k for k in ENTITY_TYPES if k in ENTITY_EXAMPLES)
"""Entity kinds with generic write routes here (other kinds have their own modules)."""
RELATIONS = tuple(k for k in RELATION_TYPES if k in RELATION_EXAMPLES)

for _kind in WRITABLE:
    _entity_routes(_kind, ENTITY_TYPES[_kind])
for _kind in RELATIONS:
    _relation_routes(_kind, RELATION_TYPES[_kind])

"""The OpenAPI document is complete (summaries, examples) and /docs works offline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.examples import ENTITY_EXAMPLES, RELATION_EXAMPLES
from api.routes.analysis import WhatIfRequest
from api.schemas import StageChange
from graph.model import ENTITY_TYPES, RELATION_TYPES
from tests.apikit import client_for


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with client_for(tmp_path_factory.mktemp("openapi")) as c:
        yield c


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    return client.get("/openapi.json").json()  # type: ignore[no-any-return]


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def exemplified(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    """An example, an enum, or every alternative exemplified."""
    schema = resolve(spec, schema)
    if "example" in schema or "examples" in schema or "enum" in schema:
        return True
    alts = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if alts:
        return all(exemplified(spec, s) for s in alts)
    return schema.get("type") == "array" and exemplified(spec, schema.get("items", {}))


# Tags of the routes this suite covers (the pipeline and campaign routes have their own).
TAGS = {"analysis", "associations", "chains", "companies", "institutes", "meta", "products",
        "projects", "regions", "relations", "search", "segments"}


def operations(spec: dict[str, Any], only_ours: bool = False
               ) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if not only_ours or set(op.get("tags", [])) & TAGS:
                yield method, path, op


def test_every_operation_has_a_summary_tag_and_unique_id(spec: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in operations(spec)]
    assert len(ids) == len(set(ids))
    for method, path, op in operations(spec):
        assert op.get("summary"), (method, path)
        assert op.get("tags"), (method, path)


def test_every_parameter_has_an_example(spec: dict[str, Any]) -> None:
    missing = [(m, p, prm["name"]) for m, p, op in operations(spec, only_ours=True)
               for prm in op.get("parameters", [])
               if not ("example" in prm or "examples" in prm
                       or exemplified(spec, prm.get("schema", {})))]
    assert missing == []


def test_every_request_body_has_an_example(spec: dict[str, Any]) -> None:
    for method, path, op in operations(spec, only_ours=True):
        if "requestBody" not in op:
            continue
        for media in op["requestBody"]["content"].values():
            assert "examples" in media or exemplified(spec, media["schema"]), (method, path)


def test_body_examples_are_valid() -> None:
    assert set(ENTITY_EXAMPLES) <= set(ENTITY_TYPES)
    assert set(RELATION_EXAMPLES) <= set(RELATION_TYPES)
    for kind, body in ENTITY_EXAMPLES.items():
        ENTITY_TYPES[kind].model_validate(body)
    for kind, body in RELATION_EXAMPLES.items():
        RELATION_TYPES[kind].model_validate(body)
    for model in (WhatIfRequest, StageChange):
        for ex in model.model_config["json_schema_extra"]["examples"]:  # type: ignore[index]
            model.model_validate(ex)


def test_api_surface(spec: dict[str, Any]) -> None:
    paths = set(spec["paths"])
    for p in ["/chains", "/chains/{chain_id}", "/chains/{chain_id}/gaps",
              "/chains/{chain_id}/targets", "/chains/{chain_id}/extension",
              "/segments/{segment_id}", "/companies", "/companies/{company_id}",
              "/institutes", "/associations", "/counties", "/parks", "/projects",
              "/projects/{project_id}/stage", "/gaps", "/whatif", "/stats", "/search",
              "/relations/operates", "/facts", "/facts/{fact_id}", "/assessments",
              "/assessments/{assessment_id}", "/relations/co_produces"]:
        assert "/api/v1" + p in paths, p
    assert set(spec["paths"]["/api/v1/companies/{company_id}"]) == {"get", "put", "delete"}
    assert spec["info"]["title"].startswith("Chain Atlas")


def test_docs_are_served_from_local_assets(client: TestClient) -> None:
    html = client.get("/docs").text
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", html) + re.findall(
        r"""url: ?['"]([^'"]+)""", html)
    assert urls, html
    assert all(u.startswith("/") for u in urls), urls
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html
    assert "/openapi.json" in urls
    js = client.get("/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    assert client.get("/docs/assets/swagger-ui.css").headers["content-type"].startswith(
        "text/css")
    assert client.get("/docs/assets/..%2Fapp.py").status_code == 404
    assert client.get("/docs/assets/index.html").status_code == 404

"""One error shape for every error: {"error": {status, code, message, details}}."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.errors import ErrorResponse, message_zh
from tests.apikit import WRITE, client_for

V = "/api/v1"
SHAPE = {"status", "code", "message", "details", "message_zh"}
CHAIN = {"id": "ch.t.nylon", "name": "尼龙", "cluster": "绿色焦化", "src": {"public": "测试"}}

CASES: list[tuple[str, str, dict[str, Any], int, str]] = [
    ("get", "/chains/ch.nope", {}, 404, "not_found"),
    ("get", "/no/such/route", {}, 404, "not_found"),
    ("delete", "/search?q=x", {"headers": WRITE}, 405, "method_not_allowed"),
    ("post", "/chains", {"json": CHAIN, "headers": WRITE}, 409, "conflict"),
    ("post", "/chains", {"json": CHAIN}, 401, "unauthorized"),
    ("post", "/chains", {"json": {**CHAIN, "pad": "x" * 5000}, "headers": WRITE}, 413,
     "payload_too_large"),
    ("post", "/chains", {"json": {**CHAIN, "id": "nylon"}, "headers": WRITE}, 422,
     "invalid_input"),
    ("post", "/chains", {"content": b"{not json", "headers": {
        **WRITE, "Content-Type": "application/json"}}, 422, "invalid_input"),
    ("get", "/companies?limit=abc", {}, 422, "invalid_input"),
    ("get", "/companies?county=county.nope", {}, 422, "invalid_input"),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with client_for(tmp_path_factory.mktemp("errors"), max_body_bytes=4000) as c:
        yield c


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "code"), CASES)
def test_every_error_has_the_one_shape(client: TestClient, method: str, path: str,
                                       kwargs: dict[str, Any], status: int, code: str) -> None:
    r = client.request(method, V + path, **kwargs)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == SHAPE
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert body["error"]["message_zh"] == message_zh(code)  # Chinese beside the English code
    assert isinstance(body["error"]["details"], list)
    if status == 422:
        assert body["error"]["details"], "422 must name the fields"
        assert all(isinstance(d["field"], str) and d["field"] for d in body["error"]["details"])
    ErrorResponse.model_validate(body)


def test_invalid_body_names_nested_field_paths(client: TestClient) -> None:
    bad = {**CHAIN, "id": "ch.t.x", "src": {"doc": "000_9e01950a286166cc.txt"}}
    r = client.post(f"{V}/chains", json=bad, headers=WRITE)
    assert r.status_code == 422
    fields = [d["field"] for d in r.json()["error"]["details"]]
    assert fields == ["body.src"]
    assert "quote" in r.json()["error"]["details"][0]["message"]


def test_a_crash_is_a_500_in_the_same_shape(tmp_path: Path) -> None:
    with client_for(tmp_path) as c:
        def boom() -> None:
            raise RuntimeError("secret internals")

        c.app.add_api_route("/boom", boom)  # type: ignore[attr-defined]
        quiet = TestClient(c.app, raise_server_exceptions=False)
        r = quiet.get("/boom")
        assert r.status_code == 500
        assert r.json() == {"error": {"status": 500, "code": "internal_error",
                                      "message": "internal server error",
                                      "message_zh": "服务器内部错误", "details": []}}


def test_openapi_documents_the_error_shape_on_every_operation(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ref = "#/components/schemas/ErrorResponse"
    for path, item in spec["paths"].items():
        for method, op in item.items():
            errors = {s: r for s, r in op["responses"].items() if s.startswith("4")}
            assert "422" in errors or "401" in errors, (method, path)
            for status, resp in errors.items():
                schema = resp["content"]["application/json"]["schema"]
                assert schema == {"$ref": ref}, (method, path, status)
    assert "HTTPValidationError" not in spec["components"]["schemas"]

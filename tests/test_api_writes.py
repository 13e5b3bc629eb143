"""Writes: auth, create/replace/delete of every kind, relations, project stage changes,
CORS and the body limit."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.deps import hash_key
from api.examples import ENTITY_EXAMPLES, RELATION_EXAMPLES
from api.routes.writes import RELATIONS, WRITABLE
from graph.model import ENTITY_TABLE
from graph.store.embedded import EmbeddedStore
from tests.apikit import WRITE, client_for

V = "/api/v1"
SRC = {"public": "测试", "as_of": "2026-11-01"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with client_for(tmp_path) as c:
        yield c


def example(kind: str, **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(ENTITY_EXAMPLES[kind])
    body.update(changes)
    return body


# Bodies whose references exist in the API fixture atlas (created in this order).
CREATE = [
    ("chain", example("chain", id="ch.t.new")),
    ("segment", example("segment", id="seg.t.new", chains=["ch.t.new"])),
    ("company", example("company", id="co.t.new")),
    ("institute", example("institute", id="inst.t.new")),
    ("association", example("association", id="assoc.t.new")),
    ("county", example("county", id="county.t-new")),
    ("park", example("park", id="park.t-new", county="county.t-new")),
    ("project", example("project", id="proj.t.new", segments=["seg.t.new"],
                        county="county.t-new", park="park.t-new")),
    ("product", example("product", id="prod.t.new")),
    ("fact", example("fact", id="fact.t.new", segment="seg.t.new", county="county.t-new")),
    ("assessment", example("assessment", id="assess.t.new", segment="seg.t.new")),
]
ENDS = {"segment": "seg.t.new", "company": "co.t.new", "institute": "inst.t.new",
        "association": "assoc.t.new", "product": "prod.t.new"}


def test_every_writable_kind_has_a_create_case() -> None:
    assert {k for k, _ in CREATE} == set(WRITABLE)


def test_writes_need_a_valid_key(client: TestClient) -> None:
    body = example("chain", id="ch.t.keyless")
    r = client.post(f"{V}/chains", json=body)
    assert r.status_code == 401
    assert r.json()["error"]["details"] == [{"field": "X-API-Key"}]
    assert client.post(f"{V}/chains", json=body, headers={"X-API-Key": "nope"}
                       ).status_code == 401
    assert client.delete(f"{V}/chains/ch.t.nylon").status_code == 401
    assert client.get(f"{V}/chains/ch.t.keyless").status_code == 404


def test_keys_may_be_configured_hashed(tmp_path: Path) -> None:
    with client_for(tmp_path, api_keys=[hash_key("s3cret")]) as c:
        body = example("chain", id="ch.t.hashed")
        assert c.post(f"{V}/chains", json=body, headers={"X-API-Key": "s3cret"}
                      ).status_code == 201
        assert c.post(f"{V}/chains", json=body, headers={"X-API-Key": hash_key("s3cret")}
                      ).status_code == 401


def test_create_replace_delete_every_kind(client: TestClient, tmp_path: Path) -> None:
    for kind, body in CREATE:
        plural = ENTITY_TABLE[kind]
        r = client.post(f"{V}/{plural}", json=body, headers=WRITE)
        assert r.status_code == 201, (kind, r.text)
        assert r.json()["id"] == body["id"]
        again = client.post(f"{V}/{plural}", json=body, headers=WRITE)
        assert again.status_code == 409, kind
        changed = {**body, "name": body.get("name", body["id"]) + "（改）"}
        r = client.put(f"{V}/{plural}/{body['id']}", json=changed, headers=WRITE)
        assert r.status_code == 200, (kind, r.text)
    for kind in RELATIONS:
        rel = copy.deepcopy(RELATION_EXAMPLES[kind])
        for field in rel:
            if field in ENDS:
                rel[field] = ENDS[field]
        if kind == "supplies":
            rel.update(supplier="co.t.new", customer="co.zhengwei")
        if kind == "feeds":
            rel.update(source="seg.t.new", target="seg.t.new", chain="ch.t.new")
        if kind == "co_produces":
            other = example("segment", id="seg.t.other", chains=["ch.t.nylon"])
            assert client.post(f"{V}/segments", json=other, headers=WRITE).status_code == 201
            rel.update(source="seg.t.new", target="seg.t.other")
        if kind in ("product_feeds", "subtype_of"):
            other = example("product", id="prod.t.other")
            client.post(f"{V}/products", json=other, headers=WRITE)
            first, second = list(rel)[:2]
            rel.update({first: "prod.t.new", second: "prod.t.other"})
        r = client.post(f"{V}/relations/{kind}", json=rel, headers=WRITE)
        assert r.status_code == 201, (kind, r.text)
        assert client.post(f"{V}/relations/{kind}", json=rel, headers=WRITE
                           ).status_code == 409
    store = EmbeddedStore(tmp_path / "data" / "atlas.sqlite")
    assert store.get("proj.t.new") is not None
    assert store.snapshot().companies["co.t.new"].name.endswith("（改）")
    assert all(store.counts()[k] >= 1 for k in RELATIONS)
    store.close()
    r = client.delete(f"{V}/relations/operates", params={"company": "co.t.new",
                                                         "segment": "seg.t.new"}, headers=WRITE)
    assert r.status_code == 200
    assert client.delete(f"{V}/relations/operates", params={
        "company": "co.t.new", "segment": "seg.t.new"}, headers=WRITE).status_code == 404
    # The project references the park, the park the county: delete in reverse order.
    assert client.delete(f"{V}/counties/county.t-new", headers=WRITE).status_code == 409
    for kind, body in reversed(CREATE):
        r = client.delete(f"{V}/{ENTITY_TABLE[kind]}/{body['id']}", headers=WRITE)
        assert r.status_code == 200, (kind, r.text)
        assert client.get(f"{V}/search", params={"q": body["id"]}).json()["count"] == 0
    assert client.get(f"{V}/relations/member_of").json()["count"] == 1


@pytest.mark.parametrize(("method", "path", "body", "status", "field"), [
    ("put", "/chains/ch.t.other", example("chain", id="ch.t.nylon"), 422, "body.id"),
    ("put", "/chains/ch.t.absent", example("chain", id="ch.t.absent"), 404, None),
    ("post", "/segments", example("segment", chains=["ch.nope"]), 422, "chains"),
    ("post", "/companies", example("company", id="co.zhengwei"), 409, "id"),
    ("post", "/companies", example("company", role="local"), 422, "body"),
    ("post", "/companies", example("company", id="BAD ID"), 422, "body.id"),
    ("post", "/companies", example("company", extra=1), 422, "body.extra"),
    ("post", "/counties", example("county", lat=91), 422, "body.lat"),
    ("post", "/relations/operates", {"company": "co.nope", "segment": "seg.t.cpl",
                                     "src": SRC}, 422, "company"),
    ("post", "/relations/feeds", {"source": "seg.t.cpl", "target": "seg.t.pa6",
                                  "chain": "ch.t.nylon", "src": SRC}, 409, None),
    ("delete", "/chains/seg.t.cpl", None, 404, "id"),
    ("delete", "/counties/county.hejin", None, 409, "id"),
    ("delete", "/relations/feeds?source=seg.t.cpl&target=seg.t.pa6", None, 422, "query.chain"),
])
def test_write_errors(client: TestClient, method: str, path: str, body: Any, status: int,
                      field: str | None) -> None:
    r = client.request(method, V + path, json=body, headers=WRITE)
    assert r.status_code == status, r.text
    details = r.json()["error"]["details"]
    if field is not None:
        assert field in [d["field"] for d in details]


@pytest.mark.parametrize("raw", [
    b'{"id": "proj.t.inf", "name": "x", "investor": "x", "amount": Infinity,'
    b' "stage": "\\u5bf9\\u63a5", "src": {"public": "x"}}',
    b'{"id": "proj.t.nan", "name": "x", "investor": "x", "amount": NaN,'
    b' "stage": "\\u5bf9\\u63a5", "src": {"public": "x"}}',
    b'{"id": "proj.t.sur", "name": "\\ud800", "investor": "x",'
    b' "stage": "\\u5bf9\\u63a5", "src": {"public": "x"}}',
    b'{"id": "proj.t.trunc", "name": ',
])
def test_unstorable_bodies_are_422_and_not_written(client: TestClient, raw: bytes) -> None:
    r = client.post(f"{V}/projects", content=raw,
                    headers={**WRITE, "Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert client.get(f"{V}/projects").json()["count"] == 1


def test_project_stage_change(client: TestClient) -> None:
    r = client.post(f"{V}/projects/proj.t.pa6/stage", json={"stage": "签约", "by": "专班",
                                                            "date": "2026-11-20"},
                    headers=WRITE)
    assert r.status_code == 200
    assert (r.json()["stage"], r.json()["stage_date"]) == ("签约", "2026-11-20")
    got = client.get(f"{V}/projects/proj.t.pa6").json()
    assert got["stage"] == "签约" and got["amount"] == 8.5
    assert client.get(f"{V}/projects", params={"stage": "签约"}).json()["count"] == 1
    bad = client.post(f"{V}/projects/proj.t.pa6/stage", json={"stage": "成功", "by": "x"},
                      headers=WRITE)
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "body.stage"
    assert client.post(f"{V}/projects/proj.nope/stage", json={"stage": "签约", "by": "x"},
                       headers=WRITE).status_code == 404
    assert client.post(f"{V}/projects/proj.t.pa6/stage", json={"stage": "签约", "by": "x"}
                       ).status_code == 401
    skip = client.post(f"{V}/projects/proj.t.pa6/stage", json={"stage": "投产", "by": "x"},
                       headers=WRITE)
    assert skip.status_code == 422 and skip.json()["error"]["code"] == "transition_refused"


def test_cors_allowlist(tmp_path: Path) -> None:
    with client_for(tmp_path, cors_origins=["https://invest.example.cn"]) as c:
        ok = c.get(f"{V}/chains", headers={"Origin": "https://invest.example.cn"})
        assert ok.headers["access-control-allow-origin"] == "https://invest.example.cn"
        other = c.get(f"{V}/chains", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers
        pre = c.options(f"{V}/chains", headers={
            "Origin": "https://invest.example.cn", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "X-API-Key"})
        assert pre.status_code == 200
    with client_for(tmp_path / "small", cors_origins=["https://invest.example.cn"],
                    max_body_bytes=100) as c:
        big = c.post(f"{V}/chains", json=example("chain"),
                     headers={**WRITE, "Origin": "https://invest.example.cn"})
        assert big.status_code == 413
        assert big.headers["access-control-allow-origin"] == "https://invest.example.cn"


def test_body_limit(tmp_path: Path) -> None:
    with client_for(tmp_path, max_body_bytes=2000) as c:
        big = example("company", id="co.t.big", description="长" * 2000)
        r = c.post(f"{V}/companies", json=big, headers=WRITE)
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "payload_too_large"

        def chunks() -> Iterator[bytes]:
            yield b'{"id": "co.t.big2", "description": "'
            for _ in range(50):
                yield b"x" * 100
            yield b'"}'

        streamed = c.post(f"{V}/companies", content=chunks(),
                          headers={**WRITE, "Content-Type": "application/json"})
        assert streamed.status_code == 413
        assert c.get(f"{V}/companies/co.t.big").status_code == 404
        small = example("company", id="co.t.small")
        assert c.post(f"{V}/companies", json=small, headers=WRITE).status_code == 201

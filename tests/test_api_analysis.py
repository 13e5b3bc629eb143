"""Analysis routes: gaps, targets, city-wide gaps; cached per store version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.analysis.extension import extension_candidates
from graph.analysis.gaps import city_gaps, diagnose_chain
from graph.analysis.rules import Weights
from graph.analysis.targets import rank_targets
from graph.model import Source, Uses
from tests.apikit import WRITE, api_atlas, client_for

V = "/api/v1"
SRC = {"public": "测试", "as_of": "2026-11-01"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with client_for(tmp_path) as c:
        yield c


def statuses(body: dict[str, list[dict[str, str]]]) -> dict[str, str]:
    return {s["segment_id"]: s["status"] for s in body["segments"]}


def test_gaps_match_the_analysis_function(client: TestClient) -> None:
    atlas = api_atlas()
    body = client.get(f"{V}/chains/ch.t.nylon/gaps").json()
    assert body == diagnose_chain(atlas, "ch.t.nylon").model_dump(mode="json")
    assert statuses(body)["seg.t.coke"] == "strong"
    assert statuses(body)["seg.t.cpl"] in ("missing", "broken")
    jishan = client.get(f"{V}/chains/ch.t.nylon/gaps", params={"county": "county.jishan"})
    assert jishan.json()["region"] == "county.jishan"
    assert statuses(jishan.json())["seg.t.coke"] in ("missing", "broken")
    park = client.get(f"{V}/chains/ch.t.nylon/gaps", params={"park": "park.hejin-kfq"})
    assert statuses(park.json())["seg.t.coke"] == "strong"


def test_gap_cache_follows_writes(client: TestClient) -> None:
    before = statuses(client.get(f"{V}/chains/ch.t.nylon/gaps").json())
    assert before["seg.t.cpl"] != "strong"
    firm = {"id": "co.t.cpl-maker", "name": "测试己内酰胺有限公司", "role": "anchor",
            "county": "county.hejin", "tags": ["规上"], "src": SRC}
    assert client.post(f"{V}/companies", json=firm, headers=WRITE).status_code == 201
    rel = {"company": "co.t.cpl-maker", "segment": "seg.t.cpl", "src": SRC}
    assert client.post(f"{V}/relations/operates", json=rel, headers=WRITE).status_code == 201
    after = statuses(client.get(f"{V}/chains/ch.t.nylon/gaps").json())
    assert after["seg.t.cpl"] == "strong"


def test_targets_and_weights(client: TestClient) -> None:
    atlas = api_atlas()
    r = client.get(f"{V}/chains/ch.t.nylon/targets", params={"segment": "seg.t.cpl"})
    assert r.status_code == 200
    expected = rank_targets(atlas, "ch.t.nylon", "seg.t.cpl")
    assert r.json() == {"data": [x.model_dump(mode="json") for x in expected],
                        "count": len(expected)}
    assert [x["company_id"] for x in r.json()["data"]] == ["600426.SH"]
    w = client.get(f"{V}/chains/ch.t.nylon/targets",
                   params={"segment": "seg.t.cpl", "weights": "evidence:1,scale:0,linkage:0,"
                           "proximity:0,market:0,connectors:0,pipeline:0,chain_fit:0"}
                   ).json()["data"]
    only_evidence = Weights(evidence=1, scale=0, linkage=0, proximity=0, market=0, connectors=0,
                            pipeline=0, chain_fit=0)
    assert w[0]["score"] == rank_targets(atlas, "ch.t.nylon", "seg.t.cpl",
                                         weights=only_evidence)[0].score
    assert w[0]["score"] == w[0]["components"]["evidence"]
    top0 = client.get(f"{V}/chains/ch.t.nylon/targets",
                      params={"segment": "seg.t.cpl", "top": 1})
    assert top0.json()["count"] == 1 and len(top0.json()["data"]) == 1


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"segment": "seg.nope"}, 422, "query.segment"),
    ({}, 422, "query.segment"),
    ({"segment": "seg.t.cpl", "weights": "evidence:x"}, 422, "query.weights"),
    ({"segment": "seg.t.cpl", "weights": "evidence:-1"}, 422, "query.weights.evidence"),
    ({"segment": "seg.t.cpl", "weights": "magic:1"}, 422, "query.weights.magic"),
    ({"segment": "seg.t.cpl", "weights": "evidence:inf"}, 422, "query.weights.evidence"),
    ({"segment": "seg.t.cpl", "weights": "{\"scale\": NaN}"}, 422, "query.weights.scale"),
    ({"segment": "seg.t.cpl", "weights": "evidence:0,scale:0,linkage:0,proximity:0,market:0,"
      "connectors:0,pipeline:0,chain_fit:0"}, 422, "query.weights"),
    ({"segment": "seg.t.cpl", "weights": "{\"proximity\": true"}, 422, "query.weights"),
    ({"segment": "seg.t.cpl", "top": 0}, 422, "query.top"),
    ({"segment": "seg.t.cpl", "county": "county.nope"}, 422, "query.county"),
])
def test_target_input_errors(client: TestClient, params: dict[str, object], status: int,
                             field: str) -> None:
    r = client.get(f"{V}/chains/ch.t.nylon/targets", params=params)
    assert r.status_code == status
    assert r.json()["error"]["details"][0]["field"] == field


def test_region_errors_are_422(client: TestClient) -> None:
    r = client.get(f"{V}/chains/ch.t.nylon/gaps",
                   params={"county": "county.jishan", "park": "park.hejin-kfq"})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "query.park"
    assert client.get(f"{V}/gaps", params={"county": "county.x"}).status_code == 422


def test_city_gaps_are_paginated_in_priority_order(client: TestClient) -> None:
    body = client.get(f"{V}/gaps").json()
    expected = [g.model_dump(mode="json") for g in city_gaps(api_atlas())]
    assert body == {"data": expected, "count": len(expected)}
    prios = [g["priority"] for g in body["data"]]
    assert prios == sorted(prios, reverse=True) and prios
    second = client.get(f"{V}/gaps", params={"offset": 1, "limit": 1}).json()
    assert second["data"] == expected[1:2]


def test_extension_matches_the_analysis_function(client: TestClient) -> None:
    body = client.get(f"{V}/chains/ch.t.nylon/extension", params={"top": 3}).json()
    expected = extension_candidates(api_atlas(), "ch.t.nylon", top=3)
    assert body == {"data": [x.model_dump(mode="json") for x in expected],
                    "count": len(expected)}
    assert len(body["data"]) <= 3
    assert client.get(f"{V}/chains/ch.nope/extension").status_code == 404


def test_whatif_adds_nothing_to_the_store(client: TestClient) -> None:
    req = {"chain_id": "ch.t.nylon", "additions": [
        {"name": "某己内酰胺企业", "segment_id": "seg.t.cpl", "role": "anchor"}]}
    r = client.post(f"{V}/whatif", json=req)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["after"] > body["before"]
    assert {(c["segment_id"], c["after"]) for c in body["changed"]} >= {("seg.t.cpl", "strong")}
    assert client.get(f"{V}/stats").json()["company"] == 4


@pytest.mark.parametrize(("req", "field"), [
    ({"chain_id": "ch.nope", "additions": [{"name": "x", "segment_id": "seg.t.cpl"}]},
     "body.chain_id"),
    ({"chain_id": "ch.t.nylon", "additions": [{"name": "x", "segment_id": "seg.nope"}]},
     "body.additions.0.segment_id"),
    ({"chain_id": "ch.t.nylon", "additions": [
        {"name": "x", "segment_id": "seg.t.cpl", "county": "county.nope"}]},
     "body.additions.0.county"),
    ({"chain_id": "ch.t.nylon", "additions": []}, "body.additions"),
    ({"chain_id": "ch.t.nylon", "additions": [
        {"name": "x", "segment_id": "seg.t.cpl", "stage": "签约", "role": "anchor"}]},
     "body.additions.0"),
    ({"chain_id": "ch.t.nylon", "park": "park.nope",
      "additions": [{"name": "x", "segment_id": "seg.t.cpl"}]}, "body.park"),
])
def test_whatif_input_errors(client: TestClient, req: dict[str, object], field: str) -> None:
    r = client.post(f"{V}/whatif", json=req)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["field"] == field


def test_customers_route_lists_users_apart_from_producers(tmp_path: Path) -> None:
    atlas = api_atlas()
    atlas.uses.append(Uses(company="600426.SH", segment="seg.t.pa66", product="尼龙66切片",
                           src=Source(public="测试", as_of=dt.date(2026, 1, 1))))
    with client_for(tmp_path, atlas) as c:
        r = c.get(f"{V}/chains/ch.t.nylon/customers", params={"segment": "seg.t.pa66"})
        assert r.status_code == 200
        assert [x["company_id"] for x in r.json()] == ["600426.SH"]
        assert r.json()[0]["product"] == "尼龙66切片"
        t = c.get(f"{V}/chains/ch.t.nylon/targets", params={"segment": "seg.t.pa66"})
        assert "600426.SH" not in [x["company_id"] for x in t.json()["data"]]
        bad = c.get(f"{V}/chains/ch.t.nylon/customers", params={"segment": "seg.nope"})
        assert bad.status_code == 422


def test_targets_for_one_product_and_unknown_product(client: TestClient) -> None:
    ok = client.get(f"{V}/chains/ch.t.nylon/targets",
                    params={"segment": "seg.t.cpl", "product": "己内酰胺"})
    assert ok.status_code == 200 and ok.json()["data"][0]["company_id"] == "600426.SH"
    bad = client.get(f"{V}/chains/ch.t.nylon/targets",
                     params={"segment": "seg.t.cpl", "product": "芯片"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "query.product"

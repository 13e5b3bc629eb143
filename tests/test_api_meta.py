from __future__ import annotations

from fastapi.testclient import TestClient


def test_health_reports_counts(mini_client: TestClient) -> None:
    r = mini_client.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["counts"]["segment"] == 6


def test_chains_list_and_detail(mini_client: TestClient) -> None:
    r = mini_client.get("/api/v1/chains")
    assert r.status_code == 200
    assert r.json()["count"] == 1
    assert [c["id"] for c in r.json()["data"]] == ["ch.t.nylon"]
    d = mini_client.get("/api/v1/chains/ch.t.nylon").json()
    assert {s["id"] for s in d["segments"]} >= {"seg.t.cpl", "seg.t.pa66"}
    assert {(f["source"], f["target"]) for f in d["feeds"]} >= {("seg.t.benzene", "seg.t.ada")}


def test_unknown_chain_is_404_in_error_shape(mini_client: TestClient) -> None:
    r = mini_client.get("/api/v1/chains/ch.nope")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"

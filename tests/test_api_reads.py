"""Every read route over a real embedded store holding the API fixture atlas."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.apikit import client_for

V = "/api/v1"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with client_for(tmp_path_factory.mktemp("reads")) as c:
        yield c


def ids(resp_json: dict[str, list[dict[str, str]]]) -> list[str]:
    return [x["id"] for x in resp_json["data"]]


def test_chain_list_and_detail(client: TestClient) -> None:
    assert ids(client.get(f"{V}/chains").json()) == ["ch.t.nylon"]
    assert client.get(f"{V}/chains", params={"cluster": "无此集群"}).json() == {
        "data": [], "count": 0}
    d = client.get(f"{V}/chains/ch.t.nylon").json()
    assert d["chain"]["name"] == "尼龙"
    assert len(d["segments"]) == 6 and len(d["feeds"]) == 5
    assert d["names"]["seg.t.cpl"] == "己内酰胺"


def test_segments_list_filters_and_detail(client: TestClient) -> None:
    assert client.get(f"{V}/segments").json()["count"] == 6
    down = client.get(f"{V}/segments", params={"stage": "downstream"}).json()
    assert ids(down) == ["seg.t.pa6", "seg.t.pa66"]
    d = client.get(f"{V}/segments/seg.t.pa6").json()
    assert [f["source"] for f in d["upstream"]] == ["seg.t.cpl"]
    assert d["downstream"] == []
    assert {r["company"] for r in d["operates"]} == {"co.t.local-nylon"}
    assert [r["association"] for r in d["covers"]] == ["assoc.t.chem"]
    assert [p["id"] for p in d["projects"]] == ["proj.t.pa6"]
    assert d["names"]["co.t.local-nylon"] == "测试尼龙材料有限公司"


def test_facts_assessments_and_co_products(client: TestClient) -> None:
    facts = client.get(f"{V}/facts", params={"county": "county.hejin"}).json()
    assert ids(facts) == ["fact.t.hejin-coke-capacity"]
    assert facts["data"][0]["name"] == "产能 300万吨/年"
    assert client.get(f"{V}/facts", params={"segment": "seg.t.pa6"}).json()["count"] == 0
    one = client.get(f"{V}/facts/fact.t.hejin-coke-capacity").json()
    assert (one["value"], one["unit"], one["year"]) == (300, "万吨/年", 2024)
    gaps = client.get(f"{V}/assessments", params={"verdict": "空白"}).json()
    assert ids(gaps) == ["assess.t.cpl-gap"]
    assert gaps["data"][0]["src"]["quote"].startswith("打造煤-苯")
    assert client.get(f"{V}/assessments", params={"verdict": "优势"}).json()["count"] == 0
    coke = client.get(f"{V}/segments/seg.t.coke").json()
    assert [f["id"] for f in coke["facts"]] == ["fact.t.hejin-coke-capacity"]
    assert [(r["source"], r["target"]) for r in coke["co_produces"]] == [
        ("seg.t.coke", "seg.t.benzene")]
    assert coke["names"]["seg.t.benzene"] == "苯"
    cpl = client.get(f"{V}/segments/seg.t.cpl").json()
    assert [a["verdict"] for a in cpl["assessments"]] == ["空白"]
    assert client.get(f"{V}/relations/co_produces").json()["count"] == 1


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["600426.SH", "co.t.local-coke", "co.t.local-nylon", "co.zhengwei"]),
    ({"role": "target"}, ["600426.SH", "co.zhengwei"]),
    ({"county": "county.jishan"}, ["co.t.local-nylon"]),
    ({"park": "park.hejin-kfq"}, ["co.t.local-coke"]),
    ({"segment": "seg.t.cpl"}, ["600426.SH"]),
    ({"chain": "ch.t.nylon", "role": "anchor"}, ["co.t.local-coke"]),
    ({"tag": "世界500强"}, ["co.zhengwei"]),
])
def test_company_filters(client: TestClient, params: dict[str, str], expected: list[str]
                         ) -> None:
    body = client.get(f"{V}/companies", params=params).json()
    assert ids(body) == expected
    assert body["count"] == len(expected)


def test_company_pagination_is_stable(client: TestClient) -> None:
    whole = ids(client.get(f"{V}/companies").json())
    pages = [ids(client.get(f"{V}/companies", params={"offset": o, "limit": 2}).json())
             for o in (0, 2, 4)]
    assert pages[0] + pages[1] + pages[2] == whole
    assert pages[2] == []
    assert client.get(f"{V}/companies", params={"limit": 1}).json()["count"] == 4


def test_company_detail_has_every_relation_with_provenance(client: TestClient) -> None:
    d = client.get(f"{V}/companies/co.t.local-nylon").json()
    assert d["company"]["tags"] == ["专精特新"]
    assert [r["segment"] for r in d["operates"]] == ["seg.t.pa6"]
    assert [(r["supplier"], r["product"]) for r in d["supplies"]] == [
        ("co.t.local-coke", "粗苯")]
    assert [r["association"] for r in d["member_of"]] == ["assoc.t.chem"]
    assert [r["institute"] for r in d["cooperates"]] == ["inst.t.lab"]
    assert [p["id"] for p in d["projects"]] == ["proj.t.pa6"]
    assert all(r["src"]["public"] == "测试数据" for r in d["operates"] + d["supplies"])
    assert d["names"]["county.jishan"] == "稷山县"


def test_institutes_and_associations(client: TestClient) -> None:
    assert ids(client.get(f"{V}/institutes", params={"segment": "seg.t.cpl"}).json()) == [
        "inst.t.lab"]
    assert client.get(f"{V}/institutes", params={"kind": "高校"}).json()["count"] == 0
    inst = client.get(f"{V}/institutes/inst.t.lab").json()
    assert [r["segment"] for r in inst["supports"]] == ["seg.t.cpl"]
    assert [r["company"] for r in inst["cooperates"]] == ["co.t.local-nylon"]
    assert ids(client.get(f"{V}/associations", params={"kind": "协会"}).json()) == [
        "assoc.t.chem"]
    assoc = client.get(f"{V}/associations/assoc.t.chem").json()
    assert sorted(r["segment"] for r in assoc["covers"]) == ["seg.t.cpl", "seg.t.pa6"]
    assert [r["company"] for r in assoc["members"]] == ["co.t.local-nylon"]


def test_counties_parks_projects(client: TestClient) -> None:
    assert ids(client.get(f"{V}/counties").json()) == ["county.hejin", "county.jishan"]
    hejin = client.get(f"{V}/counties/county.hejin").json()
    assert [p["id"] for p in hejin["parks"]] == ["park.hejin-kfq"]
    assert hejin["companies"] == ["co.t.local-coke"]
    assert ids(client.get(f"{V}/parks", params={"county": "county.jishan"}).json()) == []
    park = client.get(f"{V}/parks/park.hejin-kfq").json()
    assert park["companies"] == ["co.t.local-coke"]
    assert ids(client.get(f"{V}/projects", params={"stage": "对接"}).json()) == ["proj.t.pa6"]
    assert client.get(f"{V}/projects", params={"stage": "签约"}).json()["count"] == 0
    assert ids(client.get(f"{V}/projects", params={"segment": "seg.t.pa6"}).json()) == [
        "proj.t.pa6"]
    assert client.get(f"{V}/projects/proj.t.pa6").json()["amount"] == 8.5


def test_relation_lists(client: TestClient) -> None:
    feeds = client.get(f"{V}/relations/feeds").json()
    assert feeds["count"] == 5
    pairs = [(f["source"], f["target"]) for f in feeds["data"]]
    assert pairs == sorted(pairs)
    assert client.get(f"{V}/relations/supplies").json()["count"] == 1


def test_stats_counts_every_kind(client: TestClient) -> None:
    stats = client.get(f"{V}/stats").json()
    assert stats["company"] == 4 and stats["supplies"] == 1 and stats["feeds"] == 5


@pytest.mark.parametrize("path", [
    "/chains/ch.nope", "/segments/seg.nope", "/companies/co.nope", "/institutes/inst.nope",
    "/associations/assoc.nope", "/counties/county.nope", "/parks/park.nope",
    "/projects/proj.nope", "/segments/ch.t.nylon", "/chains/ch.nope/gaps",
    "/facts/fact.nope", "/assessments/assess.nope", "/facts/assess.t.cpl-gap",
])
def test_unknown_ids_are_404(client: TestClient, path: str) -> None:
    r = client.get(V + path)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/companies", {"county": "county.nope"}, "query.county"),
    ("/companies", {"role": "boss"}, "query.role"),
    ("/companies", {"tag": "最强"}, "query.tag"),
    ("/companies", {"limit": 0}, "query.limit"),
    ("/companies", {"offset": -1}, "query.offset"),
    ("/segments", {"chain": "ch.nope"}, "query.chain"),
    ("/projects", {"stage": "done"}, "query.stage"),
    ("/parks", {"county": "x"}, "query.county"),
    ("/institutes", {"segment": "x"}, "query.segment"),
    ("/facts", {"segment": "seg.nope"}, "query.segment"),
    ("/assessments", {"county": "county.nope"}, "query.county"),
    ("/assessments", {"verdict": "一般"}, "query.verdict"),
])
def test_bad_filters_are_422_naming_the_field(client: TestClient, path: str,
                                              params: dict[str, object], field: str) -> None:
    r = client.get(V + path, params=params)
    assert r.status_code == 422
    assert [d["field"] for d in r.json()["error"]["details"]] == [field]


def test_reads_can_be_closed(tmp_path: Path) -> None:
    with client_for(tmp_path, read_open=False) as c:
        r = c.get(f"{V}/chains")
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "unauthorized"
        assert c.get(f"{V}/chains", headers={"X-API-Key": "wrong"}).status_code == 401
        assert c.get(f"{V}/chains", headers={"X-API-Key": "test-write-key"}).status_code == 200

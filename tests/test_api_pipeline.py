"""Pipeline routes: transitions, history, metrics, ledger import, campaigns, conflicts, export."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from tests.conftest import API_KEY

KEY = {"X-API-Key": API_KEY}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["项目编号", "项目名称", "投资方", "投资方编码", "县区", "环节", "投资额（亿元）",
               "阶段", "阶段日期"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def imported(client: TestClient) -> None:
    data = ledger([
        ["proj.t.p1", "己内酰胺项目", "华鲁恒升", "600426.SH", "county.hejin", "seg.t.cpl", 30,
         "对接", "2026-01-05"],
        ["proj.t.p2", "尼龙6项目", "华鲁恒升", "600426.SH", "county.jishan", "seg.t.cpl", 10,
         "签约", "2025-09-01"],
    ])
    r = client.post("/api/v1/pipeline/import?by=招商中心", content=data,
                    headers={**KEY, "Content-Type": XLSX})
    assert r.status_code == 200, r.text
    assert r.json() == {"created": ["proj.t.p1", "proj.t.p2"], "updated": [], "review": [],
                        "ignored_columns": []}


def test_import_needs_key_and_valid_book(mini_client: TestClient) -> None:
    data = ledger([["proj.t.p1", "项目", "某", None, "火星县", None, 1, "对接", None]])
    assert mini_client.post("/api/v1/pipeline/import?by=x", content=data).status_code == 401
    r = mini_client.post("/api/v1/pipeline/import?by=x", content=data, headers=KEY)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["details"][0]["row"] == 2 and err["details"][0]["column"] == "E（县区）"
    assert mini_client.get("/api/v1/projects/proj.t.p1").status_code == 404


def test_transition_rules_over_http(mini_client: TestClient) -> None:
    imported(mini_client)
    url = "/api/v1/projects/proj.t.p1/stage"
    assert mini_client.post(url, json={"stage": "签约", "by": "x"}).status_code == 401
    skip = mini_client.post(url, json={"stage": "开工", "by": "专班"}, headers=KEY)
    assert skip.status_code == 422
    assert skip.json()["error"]["code"] == "transition_refused"
    ok = mini_client.post(url, json={"stage": "签约", "by": "专班", "reason": "签订协议",
                                     "date": "2026-02-01"}, headers=KEY)
    assert ok.status_code == 200 and ok.json()["stage"] == "签约"
    hist = mini_client.get("/api/v1/projects/proj.t.p1/history").json()
    assert [h["to_stage"] for h in hist] == ["对接", "签约"]
    assert hist[-1]["by"] == "专班" and hist[-1]["reason"] == "签订协议"
    # a whole-record update cannot change the stage behind the lifecycle's back
    record = mini_client.get("/api/v1/projects/proj.t.p1").json()
    record["stage"] = "达效"
    put = mini_client.put("/api/v1/projects/proj.t.p1", json=record, headers=KEY)
    assert put.status_code == 422 and put.json()["error"]["code"] == "transition_refused"
    record["stage"] = "签约"
    record["amount"] = 31
    assert mini_client.put("/api/v1/projects/proj.t.p1", json=record,
                           headers=KEY).status_code == 200


def test_metrics_and_warnings(mini_client: TestClient) -> None:
    imported(mini_client)
    m = mini_client.get("/api/v1/pipeline/metrics?today=2026-06-30").json()
    assert m["total"] == 2 and m["amount"] == 40
    assert [x["project_id"] for x in m["sanwei"]["signed_not_started"]] == ["proj.t.p2"]
    w = mini_client.get("/api/v1/pipeline/warnings?today=2026-06-30").json()
    assert {x["project_id"]: x["light"] for x in w} == {"proj.t.p2": "红灯", "proj.t.p1": "黄灯"}
    only = mini_client.get("/api/v1/pipeline/metrics?county=county.jishan&today=2026-06-30")
    assert only.json()["total"] == 1
    assert mini_client.get("/api/v1/pipeline/metrics?county=county.x").status_code == 404


def test_conflicts_and_export(mini_client: TestClient) -> None:
    imported(mini_client)
    c = mini_client.get("/api/v1/conflicts").json()
    assert {(x["kind"], x["subject_id"]) for x in c} == {("same_target", "600426.SH"),
                                                       ("same_segment", "seg.t.cpl")}
    r = mini_client.get("/api/v1/export/warnings.xlsx?today=2026-06-30")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None and ws.max_row == 3
    assert mini_client.get("/api/v1/export/nonsense.xlsx").status_code == 422


def test_campaign_lifecycle(mini_client: TestClient) -> None:
    body = {"id": "camp.t.nylon", "name": "尼龙补链", "team": "新材料专班", "chain": "ch.t.nylon",
            "segments": ["seg.t.cpl"], "targets": [{"company": "600426.SH"}],
            "started_on": "2026-01-01", "src": {"public": "专班立项", "as_of": "2026-01-01"}}
    assert mini_client.post("/api/v1/campaigns", json=body).status_code == 401
    r = mini_client.post("/api/v1/campaigns", json=body, headers=KEY)
    assert r.status_code == 201, r.text
    assert r.json()["baseline"]["statuses"]["seg.t.cpl"] == "missing"
    assert mini_client.post("/api/v1/campaigns", json=body, headers=KEY).status_code == 409
    firm = {"id": "co.t.cpl-local", "name": "本地己内酰胺厂", "role": "local",
            "county": "county.hejin", "src": {"public": "测试", "as_of": "2026-06-01"}}
    assert mini_client.post("/api/v1/companies", json=firm, headers=KEY).status_code in (200, 201)
    rel = {"company": "co.t.cpl-local", "segment": "seg.t.cpl",
           "src": {"public": "测试", "as_of": "2026-06-01"}}
    assert mini_client.post("/api/v1/relations/operates", json=rel,
                            headers=KEY).status_code in (200, 201)
    rep = mini_client.get("/api/v1/campaigns/camp.t.nylon/report").json()
    assert rep["gaps_closed"] == ["seg.t.cpl"] and rep["completeness_change"] > 0
    body["targets"] = [{"company": "600426.SH", "status": "洽谈中", "next_step": "上门拜访"}]
    upd = mini_client.put("/api/v1/campaigns/camp.t.nylon", json=body, headers=KEY)
    assert upd.status_code == 200
    assert upd.json()["baseline"]["statuses"]["seg.t.cpl"] == "missing"  # baseline kept

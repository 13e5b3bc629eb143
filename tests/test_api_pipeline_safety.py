"""Pipeline over HTTP, safety: control characters refused on every kind, exports hold no
formula cell, oversize and bomb workbooks answered 413/422 before openpyxl reads them,
reported statistics beside computed ones, the ledger template."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from api.examples import ENTITY_EXAMPLES
from api.routes.writes import WRITABLE
from graph.model import ENTITY_TABLE
from tests.conftest import API_KEY

KEY = {"X-API-Key": API_KEY}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SRC = {"public": "测试", "as_of": "2026-01-01"}


@pytest.mark.parametrize("kind", WRITABLE)
@pytest.mark.parametrize("field", ["name", "aliases"])
def test_control_characters_are_refused_for_every_kind(mini_client: TestClient, kind: str,
                                                       field: str) -> None:
    body: dict[str, Any] = dict(ENTITY_EXAMPLES[kind])
    body[field] = ["别名\x01"] if field == "aliases" else "名称\x1b[31m"
    plural = ENTITY_TABLE[kind]
    r = mini_client.post(f"/api/v1/{plural}", json=body, headers=KEY)
    assert r.status_code == 422, r.text
    assert "control_character" in r.text


def test_control_characters_in_nested_text_are_refused(mini_client: TestClient) -> None:
    body = {"id": "proj.t.ctl", "name": "项目", "investor": "某公司", "stage": "签约",
            "src": {"public": "说明\x07", "as_of": "2026-01-01"}}
    r = mini_client.post("/api/v1/projects", json=body, headers=KEY)
    assert r.status_code == 422 and "control_character" in r.text
    ok = {**body, "src": SRC, "description": "第一行\n第二行\t缩进"}  # tab and newline are fine
    assert mini_client.post("/api/v1/projects", json=ok, headers=KEY).status_code == 201
    assert mini_client.get("/api/v1/export/projects.xlsx").status_code == 200


EVIL = ['=HYPERLINK("http://example.invalid","x")', "=cmd|' /C calc'!A0", "+SUM(1)", "-1+1",
        "@A1"]


def formula_cells(data: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(data))
    return [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.data_type == "f"]


@pytest.mark.parametrize("table", ["projects", "warnings", "sanwei", "undated", "campaigns",
                                   "conflicts", "stages", "rates"])
def test_exports_hold_no_formula_cell(mini_client: TestClient, table: str) -> None:
    for i, text in enumerate(EVIL):
        r = mini_client.post("/api/v1/projects", headers=KEY, json={
            "id": f"proj.t.evil{i}", "name": text, "investor": text, "stage": "签约",
            "county": "county.hejin", "team": text, "stage_date": "2025-01-01" if i else None,
            "src": SRC})
        assert r.status_code == 201, r.text
    camp = {"id": "camp.t.evil", "name": EVIL[0], "team": EVIL[1], "chain": "ch.t.nylon",
            "started_on": "2026-01-01", "src": SRC}
    assert mini_client.post("/api/v1/campaigns", json=camp, headers=KEY).status_code == 201
    r = mini_client.get(f"/api/v1/export/{table}.xlsx?today=2026-06-30")
    assert r.status_code == 200
    assert formula_cells(r.content) == []
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    assert all("\u4e00" <= ch <= "\u9fff" for ch in ws.title)  # a Chinese sheet name
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    if table in ("projects", "warnings", "campaigns"):
        texts = {c.value for row in ws.iter_rows(min_row=2) for c in row}
        assert texts & set(EVIL)  # shown as text, not dropped
    if table == "projects":
        row = [c.value for c in ws[2]]
        assert "河津市" in row and row[-1].startswith("proj.")  # names; the id last
    if table == "rates":
        assert ws["D2"].number_format == "0.00%"


def bomb_dimension() -> bytes:
    """A small workbook whose sheet declares A1:XFD20000."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["项目编号", "项目名称", "投资方", "阶段"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:D1"', b'<dimension ref="A1:XFD20000"')
            z.writestr(info.filename, data)
    return out.getvalue()


def bomb_shared_strings(mb: int = 200) -> bytes:
    """A workbook whose shared-strings part inflates to ``mb`` MB."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["项目编号"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in src.infolist():
            z.writestr(info.filename, src.read(info.filename))
        chunk = b"<si><t>" + b"A" * 1000 + b"</t></si>"
        body = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + \
            chunk * (mb * 1024) + b"</sst>"
        z.writestr("xl/sharedStrings.xml", body)
    return out.getvalue()


def test_dimension_bomb_is_413_at_once(mini_client: TestClient) -> None:
    data = bomb_dimension()
    assert len(data) < 10_000
    r = mini_client.post("/api/v1/pipeline/import?by=x", content=data,
                         headers={**KEY, "Content-Type": XLSX})
    assert r.status_code == 413, r.text
    assert "XFD20000" in r.json()["error"]["message"]
    assert r.json()["error"]["details"][0]["code"] == "dimension_too_large"


def test_shared_strings_bomb_is_413(mini_client: TestClient) -> None:
    data = bomb_shared_strings()
    assert len(data) < 1_000_000
    r = mini_client.post("/api/v1/pipeline/import?by=x", content=data,
                         headers={**KEY, "Content-Type": XLSX})
    assert r.status_code == 413, r.text
    assert r.json()["error"]["details"][0]["code"] in ("uncompressed_too_large",
                                                       "shared_strings_too_large")


def test_not_a_workbook_is_422_in_chinese(mini_client: TestClient) -> None:
    r = mini_client.post("/api/v1/pipeline/import?by=x", content=b"PK\x03\x04 broken",
                         headers={**KEY, "Content-Type": XLSX})
    assert r.status_code == 422 and "不是 .xlsx 工作簿" in r.json()["error"]["message"]


def test_rows_over_the_limit_are_413() -> None:
    from graph.errors import TooLarge
    from graph.pipeline.xlsxsafe import Limits, read_sheet
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for i in range(30):
        ws.append([f"XM-{i}", "项目", "某", "线索"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(TooLarge, match=r"dimension_too_large|too_many_rows"):
        read_sheet(buf.getvalue(), "f.xlsx", Limits(max_rows=10))
    with pytest.raises(TooLarge, match=r"too_many_cells|dimension_too_large"):
        read_sheet(buf.getvalue(), "f.xlsx", Limits(max_cells=50))


def test_duplicated_header_and_inf_over_http(mini_client: TestClient) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["项目编号", "项目名称", "投资方", "阶段", "投资额（亿元）", "投资额(亿元)"])
    ws.append(["XM-1", "项目", "某", "线索", float("inf"), 1])
    buf = io.BytesIO()
    wb.save(buf)
    r = mini_client.post("/api/v1/pipeline/import?by=x", content=buf.getvalue(),
                         headers={**KEY, "Content-Type": XLSX})
    assert r.status_code == 422
    codes = {d["code"] for d in r.json()["error"]["details"]}
    assert "duplicate_column" in codes
    ws.delete_cols(6)
    buf = io.BytesIO()
    wb.save(buf)
    r = mini_client.post("/api/v1/pipeline/import?by=x", content=buf.getvalue(),
                         headers={**KEY, "Content-Type": XLSX})
    assert r.status_code == 422
    d = r.json()["error"]["details"][0]
    assert (d["row"], d["column"], d["code"]) == (2, "E（投资额（亿元））", "non_finite")


def test_template_route(mini_client: TestClient) -> None:
    r = mini_client.get("/api/v1/pipeline/template.xlsx")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["项目台账", "选项", "填写说明"]
    assert len(wb["项目台账"].data_validations.dataValidation) == 3


def test_reported_beside_computed(seed_client: TestClient) -> None:
    m = seed_client.get("/api/v1/pipeline/metrics?today=2026-12-01").json()
    assert "规划项目清单，不是全市项目台账" in m["ledger"]["text"]
    assert m["ledger"]["from_documents"] == m["total"]
    by_id = {c["id"]: c for c in m["reported"]}
    rates = {f["metric"]: f for f in by_id["rep.2022-2023-sanpi-rates"]["figures"]}
    assert [rates[k]["reported"] for k in ("sign_to_start", "start_to_produce",
                                           "produce_to_effect")] == [94.77, 55.96, 100]
    assert all("÷" in f["formula"] for f in rates.values())
    city = by_id["rep.2024-city-attraction"]
    assert city["coverage"]["reported"] == 539
    assert city["coverage"]["ledger"] < 539 and "报告为 539 个" in city["coverage"]["text"]
    assert by_id["rep.linfen-2024-sanpi-rates"]["atlas_city"] is False
    assert m["rates"]["sign_to_start"]["formula"].startswith("签约开工率 =")
    assert m["date_unknown_count"] > 200 and len(m["warnings"]) < 264
    r = seed_client.get("/api/v1/pipeline/reported?today=2026-12-01").json()
    assert [c["id"] for c in r["reported"]] == [c["id"] for c in m["reported"]]

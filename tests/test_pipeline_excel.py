"""Ledger import: valid rows go in; any bad row is reported by row and column and
nothing is imported. Export round-trips."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from graph.errors import InvalidInput
from graph.model import Atlas, ProjectStage
from graph.pipeline.excel import import_ledger
from graph.pipeline.tables import PROJECTS, ledger_rows
from graph.pipeline.xlsxout import to_xlsx

TODAY = dt.date(2026, 6, 30)
HEAD = ["项目编号", "项目名称", "投资方", "县区", "开发区", "环节", "投资额（亿元）", "阶段",
        "阶段日期"]


def book(rows: list[list[Any]], head: list[str] = HEAD) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(head)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for c in row:
            if c.data_type == "f":  # the ledger holds these as text, as a user typed them
                c.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD = ["proj.t.x1", "己内酰胺项目", "某化工公司", "河津市", "park.hejin-kfq",
        "己内酰胺、seg.t.pa6", 12.5, "签约", dt.date(2026, 3, 1)]


def test_good_ledger_imports(mini_atlas: Atlas) -> None:
    res = import_ledger(mini_atlas, book([GOOD]), filename="台账.xlsx", by="专班", today=TODAY)
    assert res.created == ["proj.t.x1"]
    p = res.projects[0]
    assert p.county == "county.hejin" and p.segments == ["seg.t.cpl", "seg.t.pa6"]
    assert p.amount == 12.5 and p.stage is ProjectStage.signed
    assert p.src.dataset == "台账 台账.xlsx" and p.src.key == "第2行"


@pytest.mark.parametrize(("cell", "value", "column", "message"), [
    (3, "火星县", "D（县区）", "unknown_county"),
    (3, "河津", "D（县区）", "是否为「河津市」"),
    (5, "己内酰胺、不存在环节", "F（环节）", "unknown_segment"),
    (6, "十亿", "G（投资额（亿元））", "bad_amount"),
    (6, -3, "G（投资额（亿元））", "negative_amount"),
    (6, float("inf"), "G（投资额（亿元））", "non_finite"),
    (6, float("nan"), "G（投资额（亿元））", "non_finite"),
    (6, "inf", "G（投资额（亿元））", "non_finite"),
    (7, "完工", "H（阶段）", "unknown_stage"),
    (7, "已签", "H（阶段）", "是否为「已签约」"),
    (8, "2026/13/01", "I（阶段日期）", "bad_date"),
    (1, None, "B（项目名称）", "必填"),
])
def test_bad_cell_is_reported_and_nothing_imported(mini_atlas: Atlas, cell: int, value: Any,
                                                   column: str, message: str) -> None:
    bad = list(GOOD)
    bad[0] = "proj.t.x2"
    bad[cell] = value
    with pytest.raises(InvalidInput) as info:
        import_ledger(mini_atlas, book([GOOD, bad]), filename="台账.xlsx", by="专班",
                      today=TODAY)
    details = info.value.details
    assert any(d["row"] == 3 and d["column"] == column and message in d["message"]
               for d in details), details
    assert "未导入任何数据" in info.value.message


def test_every_bad_row_is_listed(mini_atlas: Atlas) -> None:
    rows = [GOOD, ["proj.t.b1", "项目", "某", "火星县", None, None, None, "签约", None],
            ["proj.t.b2", "项目", "某", None, None, None, "x", "签约", None],
            ["proj.t.x1", "重复", "某", None, None, None, None, "线索", None]]
    with pytest.raises(InvalidInput) as info:
        import_ledger(mini_atlas, book(rows), filename="f.xlsx", by="x", today=TODAY)
    assert sorted({d["row"] for d in info.value.details}) == [3, 4, 5]
    assert any("与第 2 行是同一项目" in d["message"] for d in info.value.details)
    assert all(d["code"] for d in info.value.details)


def test_header_problems(mini_atlas: Atlas) -> None:
    with pytest.raises(InvalidInput) as info:
        import_ledger(mini_atlas, book([], head=["项目名称", "项目名称 ", "项目阶断", "颜色"]),
                      filename="f.xlsx", by="x", today=TODAY)
    by_code = {d["code"]: d for d in info.value.details}
    assert by_code["duplicate_column"]["column"] == "B（项目名称 ）"
    assert "是否为「阶段」" in by_code["unknown_column"]["message"]
    assert {d["column"] for d in info.value.details if d["code"] == "missing_column"} == {
        "项目编号", "投资方", "阶段"}
    assert all("颜色" not in d["column"] for d in info.value.details)  # ignored, not an error


def test_not_a_workbook(mini_atlas: Atlas) -> None:
    with pytest.raises(InvalidInput, match=r"不是 \.xlsx 工作簿 \(not_xlsx\)"):
        import_ledger(mini_atlas, b"plain text", filename="f.xlsx", by="x", today=TODAY)


def test_stage_change_of_existing_project_obeys_lifecycle(mini_atlas: Atlas) -> None:
    first = import_ledger(mini_atlas, book([GOOD]), filename="f.xlsx", by="x", today=TODAY)
    atlas = mini_atlas.model_copy(update={"projects": {p.id: p for p in first.projects}})
    skip = list(GOOD)
    skip[7] = "投产"
    with pytest.raises(InvalidInput) as info:
        import_ledger(atlas, book([skip]), filename="f.xlsx", by="x", today=TODAY)
    assert any("skips_stage" in d["message"] and d["column"] == "H（阶段）"
               for d in info.value.details)
    step = list(GOOD)
    step[7], step[8] = "开工", dt.date(2026, 5, 1)
    res = import_ledger(atlas, book([step]), filename="f.xlsx", by="小分队", today=TODAY)
    assert res.updated == ["proj.t.x1"]
    assert res.projects[0].stage is ProjectStage.started
    assert res.projects[0].history[-1].by == "小分队"


def test_export_round_trips_through_import(mini_atlas: Atlas) -> None:
    first = import_ledger(mini_atlas, book([GOOD]), filename="f.xlsx", by="x", today=TODAY)
    headers, rows = ledger_rows(mini_atlas, first.projects)
    data = to_xlsx("项目台账", headers, rows)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert [c.value for c in ws[1]] == [c.header for c in PROJECTS]
    assert ws["E2"].value == "河津市" and ws["M2"].value == "proj.t.x1"  # names; id last
    again = import_ledger(mini_atlas, data, filename="导出.xlsx", by="x", today=TODAY)
    assert again.projects[0].segments == first.projects[0].segments
    assert again.projects[0].amount == 12.5


REAL_HEAD = ["项目编号", "项目名称", "投资方", "县（市、区）", "环节", "投资额(亿元)", "项目阶段",
             "阶段日期", "序号"]


def test_real_ledger_forms_are_accepted(mini_atlas: Atlas) -> None:
    rows = [
        ["XM-2026-001", "项目一", "某化工公司", "河津市", "己内酰胺", "5亿", "洽谈", "2026/11/01",
         1],
        ["XM-2026-002", "项目二", "某化工公司", "河津市", None, "5000万元", "在建",
         "2026年11月1日", 2],
        ["XM-2026-003", "项目三", "某化工公司", "河津市", None, 3, "已签约", "2026.11.1", 3],
        ["XM-2026-004", "项目四", "某化工公司", "河津市", None, "1,200万", "已投产",
         dt.datetime(2026, 11, 1), 4],
        ["XM-2026-005", "项目五", "某化工公司", "河津市", None, "2.5亿元", "在谈", 46327, 5],
    ]
    res = import_ledger(mini_atlas, book(rows, head=REAL_HEAD), filename="台账.xlsx", by="专班",
                        today=TODAY)
    got = {p.ledger_no: (p.id, p.amount, p.stage.value, p.stage_date) for p in res.projects}
    day = dt.date(2026, 11, 1)
    assert got == {
        "XM-2026-001": ("proj.ledger.xm-2026-001", 5.0, "对接", day),
        "XM-2026-002": ("proj.ledger.xm-2026-002", 0.5, "开工", day),
        "XM-2026-003": ("proj.ledger.xm-2026-003", 3.0, "签约", day),
        "XM-2026-004": ("proj.ledger.xm-2026-004", 0.12, "投产", day),
        "XM-2026-005": ("proj.ledger.xm-2026-005", 2.5, "对接", day),  # Excel serial 46327
    }
    assert res.ignored_columns == ["I（序号）"]
    # the same ledger number later updates the same project
    atlas = mini_atlas.model_copy(update={"projects": {p.id: p for p in res.projects}})
    step = [["XM-2026-001", "项目一", "某化工公司", "河津市", None, "5亿", "签约", "2026-12-01",
             1]]
    again = import_ledger(atlas, book(step, head=REAL_HEAD), filename="十二月台账.xlsx",
                          by="专班", today=TODAY)
    assert again.updated == ["proj.ledger.xm-2026-001"] and again.created == []
    assert again.projects[0].stage is ProjectStage.signed and again.projects[0].rev == 1


def test_non_ascii_ledger_number_gets_a_stable_id(mini_atlas: Atlas) -> None:
    row = [["运经开2026-001", "项目", "某化工公司", "河津市", None, 1, "线索", None, None]]
    a = import_ledger(mini_atlas, book(row, head=REAL_HEAD), filename="f.xlsx", by="x",
                      today=TODAY)
    b = import_ledger(mini_atlas, book(row, head=REAL_HEAD), filename="g.xlsx", by="x",
                      today=TODAY)
    assert a.created == b.created and a.created[0].startswith("proj.ledger.h-")
    assert a.projects[0].ledger_no == "运经开2026-001"


def test_amount_column_in_wan_yuan(mini_atlas: Atlas) -> None:
    head = ["项目编号", "项目名称", "投资方", "阶段", "总投资（万元）"]
    res = import_ledger(mini_atlas, book([["XM-1", "项目", "某", "线索", 25000]], head=head),
                        filename="f.xlsx", by="x", today=TODAY)
    assert res.projects[0].amount == 2.5


def test_investor_resolved_exact_alias_then_fuzzy_with_review(mini_atlas: Atlas) -> None:
    firm = next(c for c in mini_atlas.companies.values() if c.aliases)
    head = ["项目编号", "项目名称", "投资方", "阶段"]
    near = firm.name[:-1] + ("甲" if firm.name[-1] != "甲" else "乙")
    rows = [["XM-1", "项目", firm.name, "线索"], ["XM-2", "项目", firm.aliases[0], "线索"],
            ["XM-3", "项目", near, "线索"], ["XM-4", "项目", "完全无关的名字", "线索"]]
    res = import_ledger(mini_atlas, book(rows, head=head), filename="f.xlsx", by="x",
                        today=TODAY)
    ids = {p.ledger_no: p.investor_id for p in res.projects}
    assert ids["XM-1"] == ids["XM-2"] == firm.id
    assert ids["XM-4"] is None
    assert [m.row for m in res.review] == [4]
    assert res.review[0].company_id == firm.id and res.review[0].score < 100


def _formula_cells(data: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(data))
    return [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.data_type == "f"]


def test_export_is_injection_safe_and_report_ready(mini_atlas: Atlas) -> None:
    evil = ['=HYPERLINK("http://example.invalid","x")', "=cmd|' /C calc'!A0", "+1", "-2",
            "@SUM(A1)", "\t=1", "\r=1"]
    rows = [[f"XM-{i}", text, text, "河津市", None, None, "签约", "2026-01-01", None]
            for i, text in enumerate(evil)]
    res = import_ledger(mini_atlas, book(rows, head=REAL_HEAD), filename="f.xlsx", by="x",
                        today=TODAY)
    headers, out = ledger_rows(mini_atlas, res.projects)
    data = to_xlsx("项目台账", headers, out)
    assert _formula_cells(data) == []
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert ws.title == "项目台账" and ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert {ws.cell(row=i, column=2).value for i in range(2, 9)} == {e.strip() for e in evil}
    assert ws["J2"].is_date and ws["J2"].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["B"].width > 10


def test_export_drops_control_characters_of_old_records(mini_atlas: Atlas) -> None:
    from graph.pipeline.xlsxout import Col
    data = to_xlsx("表", [Col("名称"), Col("比例", "rate"), Col("投资额", "amount")],
                   [["坏\x01名", 0.1818, 3.14159]])
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert ws["A2"].value == "坏名"
    assert ws["B2"].number_format == "0.00%" and ws["C2"].number_format == "0.00"


def test_template_has_columns_sample_and_dropdowns(mini_atlas: Atlas) -> None:
    from graph.pipeline.tables import template
    wb = load_workbook(io.BytesIO(template(mini_atlas)))
    ws = wb["项目台账"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["项目编号", "项目名称", "投资方", "投资方编码"]
    assert ws["A2"].value == "XM-2026-001"
    lists = {str(dv.sqref).split(":")[0][0]: dv.formula1
             for dv in ws.data_validations.dataValidation}
    letter = {h: chr(65 + i) for i, h in enumerate(headers)}
    assert set(lists) == {letter["阶段"], letter["县区"], letter["开发区"]}
    opts = wb["选项"]
    assert opts.sheet_state == "hidden"
    assert "河津市" in [c.value for c in opts["B"]]
    # the template imports once its sample row is filled in
    assert _formula_cells(template(mini_atlas)) == []

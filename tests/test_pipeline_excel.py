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
from graph.pipeline.excel import LEDGER_COLUMNS, import_ledger, ledger_rows, to_xlsx

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
    (3, "火星县", "D（县区）", "未知县区"),
    (5, "己内酰胺、不存在环节", "F（环节）", "未知或不唯一的环节"),
    (6, "十亿", "G（投资额（亿元））", "不是数字"),
    (6, -3, "G（投资额（亿元））", "不能为负"),
    (7, "完工", "H（阶段）", "阶段应为"),
    (8, "2026/13/01", "I（阶段日期）", "日期格式"),
    (1, None, "B（项目名称）", "必填"),
    (0, "BAD ID", "A（项目编号）", "proj.<slug>"),
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
    assert any("与第 2 行重复" in d["message"] for d in info.value.details)


def test_header_problems(mini_atlas: Atlas) -> None:
    with pytest.raises(InvalidInput) as info:
        import_ledger(mini_atlas, book([], head=["项目名称", "颜色"]), filename="f.xlsx",
                      by="x", today=TODAY)
    msgs = {(d["column"], d["message"]) for d in info.value.details}
    assert ("B（颜色）", "未知列") in msgs and ("项目编号", "缺少必需列") in msgs


def test_not_a_workbook(mini_atlas: Atlas) -> None:
    with pytest.raises(InvalidInput, match=r"not an \.xlsx"):
        import_ledger(mini_atlas, b"plain text", filename="f.xlsx", by="x", today=TODAY)


def test_stage_change_of_existing_project_obeys_lifecycle(mini_atlas: Atlas) -> None:
    first = import_ledger(mini_atlas, book([GOOD]), filename="f.xlsx", by="x", today=TODAY)
    atlas = mini_atlas.model_copy(update={"projects": {p.id: p for p in first.projects}})
    skip = list(GOOD)
    skip[7] = "投产"
    with pytest.raises(InvalidInput) as info:
        import_ledger(atlas, book([skip]), filename="f.xlsx", by="x", today=TODAY)
    assert any("skips" in d["message"] and d["column"] == "H（阶段）"
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
    assert [c.value for c in ws[1]] == list(LEDGER_COLUMNS)
    again = import_ledger(mini_atlas, data, filename="导出.xlsx", by="x", today=TODAY)
    assert again.projects[0].segments == first.projects[0].segments
    assert again.projects[0].amount == 12.5

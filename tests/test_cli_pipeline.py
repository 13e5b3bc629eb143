"""Pipeline CLI: ledger import (all or nothing), move, metrics, export."""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import Workbook, load_workbook

from tests.test_cli import run

HEAD = ["项目编号", "项目名称", "投资方", "县区", "环节", "投资额（亿元）", "阶段", "阶段日期"]


def book(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_import_move_metrics_export(tmp_path: Path) -> None:
    assert run(["load"], tmp_path).returncode == 0
    bad = book(tmp_path / "bad.xlsx", [
        ["proj.t.c1", "项目一", "某公司", "河津市", "己内酰胺", 5, "签约", "2026-01-01"],
        ["proj.t.c2", "项目二", "某公司", "河津市", "己内酰胺", "五亿", "签约", "2026-01-01"]])
    r = run(["pipeline", "import", str(bad), "--by", "招商中心"], tmp_path)
    assert r.returncode == 2
    assert "第 3 行 F（投资额（亿元））" in r.stderr and "(bad_amount)" in r.stderr
    assert "Traceback" not in r.stderr
    m = json.loads(run(["pipeline", "metrics", "--json"], tmp_path).stdout)
    assert m["total"] == 0  # nothing was imported
    good = book(tmp_path / "good.xlsx", [
        ["proj.t.c1", "项目一", "某公司", "河津市", "己内酰胺", 5, "签约", "2026-01-01"]])
    assert run(["pipeline", "import", str(good), "--by", "招商中心"], tmp_path).returncode == 0
    skip = run(["pipeline", "move", "proj.t.c1", "达效", "--by", "专班"], tmp_path)
    assert skip.returncode == 2 and "skips_stage" in skip.stderr
    ok = run(["pipeline", "move", "proj.t.c1", "开工", "--by", "专班", "--at", "2026-02-01"],
             tmp_path)
    assert ok.returncode == 0, ok.stderr
    m = json.loads(run(["pipeline", "metrics", "--json", "--today", "2026-03-01"],
                       tmp_path).stdout)
    assert m["rates"]["sign_to_start"]["by_count"] == 1.0
    out = tmp_path / "stages.xlsx"
    assert run(["pipeline", "export", "stages", "-o", str(out)], tmp_path).returncode == 0
    ws = load_workbook(io.BytesIO(out.read_bytes())).active
    assert ws is not None
    assert [c.value for c in ws[5]] == ["开工", 1, 5]


def test_campaign_start_list_report(tmp_path: Path) -> None:
    assert run(["load"], tmp_path).returncode == 0
    spec = tmp_path / "camp.yaml"
    spec.write_text(
        "id: camp.t.nylon\nname: 尼龙补链行动\nteam: 新材料专班\nchain: ch.t.nylon\n"
        "segments: [seg.t.cpl]\ntargets: [{company: 600426.SH, status: 已接触}]\n"
        "started_on: 2026-01-01\nsrc: {public: 专班立项, as_of: 2026-01-01}\n", encoding="utf-8")
    r = run(["campaign", "start", str(spec)], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "baseline completeness 0.3333" in r.stdout
    again = run(["campaign", "start", str(spec)], tmp_path)
    assert again.returncode == 2 and "(exists)" in again.stderr
    listed = json.loads(run(["campaign", "list", "--json"], tmp_path).stdout)
    assert [c["系统编号"] for c in listed] == ["camp.t.nylon"]
    rep = json.loads(run(["campaign", "report", "camp.t.nylon", "--json"], tmp_path).stdout)
    assert rep["gaps_open"] == ["seg.t.cpl"] and rep["targets_by_status"] == {"已接触": 1}
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: camp.t.x\nname: 坏\nteam: t\nchain: ch.t.nylon\n", encoding="utf-8")
    r = run(["campaign", "start", str(bad)], tmp_path)
    assert r.returncode == 2 and "started_on" in r.stderr


def test_missing_ledger_file_and_template(tmp_path: Path) -> None:
    assert run(["load"], tmp_path).returncode == 0
    r = run(["pipeline", "import", str(tmp_path / "没有这个文件.xlsx"), "--by", "x"], tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "文件不存在（file_not_found）" in r.stderr and "没有这个文件.xlsx" in r.stderr
    out = tmp_path / "template.xlsx"
    t = run(["pipeline", "template", "-o", str(out)], tmp_path)
    assert t.returncode == 0, t.stderr
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "项目台账"
    assert len(wb["项目台账"].data_validations.dataValidation) == 3
    m = run(["pipeline", "metrics"], tmp_path)
    assert m.returncode == 0, m.stderr
    assert "日期未知" in m.stdout and "台账共 0 个项目" in m.stdout

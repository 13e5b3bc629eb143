"""CLI gaps/targets/whatif/extension: tables by default, JSON on request, exit 2 on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from graph.cli import app
from tests.conftest import MINI

runner = CliRunner()
SEEDS = ["--seeds", str(MINI)]


def cli(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, [*args])
    return r.exit_code, r.stdout, r.stderr


def test_gaps_table_and_json() -> None:
    code, out, _ = cli("gaps", "ch.t.nylon", *SEEDS)
    assert code == 0
    assert "完整度 33%" in out and "gap-rules/3" in out
    assert "己内酰胺" in out and "缺失 missing" in out and "强 strong" in out
    code, out, _ = cli("gaps", "ch.t.nylon", "--json", *SEEDS)
    body = json.loads(out)
    st = {s["segment_id"]: s["status"] for s in body["segments"]}
    assert st == {"seg.t.coke": "strong", "seg.t.benzene": "strong", "seg.t.cpl": "missing",
                  "seg.t.ada": "missing", "seg.t.pa6": "missing", "seg.t.pa66": "missing"}
    assert body["completeness"] == round(2 / 6, 4)


def test_gaps_by_county_and_city_wide() -> None:
    code, out, _ = cli("gaps", "ch.t.nylon", "--county", "county.jishan", "--json", *SEEDS)
    assert code == 0 and json.loads(out)["completeness"] == 0
    code, out, _ = cli("gaps", "--json", *SEEDS)
    items = json.loads(out)
    # Both next to the present 苯 segment: 2 x 1 + 0.5 = 2.5, tie broken by segment id.
    assert code == 0 and [(i["segment_id"], i["priority"]) for i in items][:2] == [
        ("seg.t.ada", 2.5), ("seg.t.cpl", 2.5)]
    code, out, _ = cli("gaps", *SEEDS)
    assert code == 0 and "全市缺链/弱链清单" in out


def test_targets_table_json_top_and_weights() -> None:
    code, out, _ = cli("targets", "ch.t.nylon", "seg.t.cpl", *SEEDS)
    assert code == 0 and "山东华鲁恒升化工股份有限公司" in out and "evidence=" in out
    code, out, _ = cli("targets", "ch.t.nylon", "seg.t.cpl", "--json", "--top", "1",
                       "--weight", "evidence=1", "--weight", "scale=0", *SEEDS)
    recs = json.loads(out)
    assert code == 0 and len(recs) == 1 and recs[0]["company_id"] == "600426.SH"
    assert any("—供给→ 己内酰胺" in r for r in recs[0]["reasons"])


def test_whatif_and_extension() -> None:
    code, out, _ = cli("whatif", "ch.t.nylon", "--firm", "seg.t.cpl:某己内酰胺企业:anchor",
                       "--json", *SEEDS)
    res = json.loads(out)
    assert code == 0 and res["delta"] > 0
    assert {c["segment_id"]: c["after"] for c in res["changed"]} == {"seg.t.cpl": "strong"}
    code, out, _ = cli("whatif", "ch.t.nylon", "--project", "seg.t.pa6:某项目:对接", *SEEDS)
    assert code == 0 and "+0%" in out
    code, out, _ = cli("extension", "ch.t.nylon", "--json", *SEEDS)
    ids = [e["segment_id"] for e in json.loads(out)]
    assert code == 0 and {"seg.t.cpl", "seg.t.ada"} <= set(ids)


def test_bad_input_exits_2() -> None:
    for args in (["gaps", "ch.nope"], ["gaps", "ch.t.nylon", "--county", "county.zz"],
                 ["targets", "ch.t.nylon", "seg.t.zz"],
                 ["targets", "ch.t.nylon", "seg.t.cpl", "--weight", "bogus=1"],
                 ["targets", "ch.t.nylon", "seg.t.cpl", "--weight", "evidence"],
                 ["whatif", "ch.t.nylon"],
                 ["whatif", "ch.t.nylon", "--project", "seg.t.cpl:x:开会"]):
        code, _, err = cli(*args, *SEEDS)
        assert code == 2, args
        assert err.strip(), args


def test_rules_option(tmp_path: Path) -> None:
    f = tmp_path / "r.toml"
    f.write_text('version = "mine/1"\n[status]\ndense_min_firms = 1\n', encoding="utf-8")
    code, out, _ = cli("gaps", "ch.t.nylon", "--json", "--rules", str(f), *SEEDS)
    assert code == 0 and json.loads(out)["rules_version"] == "mine/1"
    f.write_text("[status]\nnope = 1\n", encoding="utf-8")
    code, _, err = cli("gaps", "ch.t.nylon", "--rules", str(f), *SEEDS)
    assert code == 2 and "status.nope" in err


def test_gaps_reads_the_store(tmp_path: Path) -> None:
    env = {**os.environ, "ATLAS_DATA_DIR": str(tmp_path / "data"), "ATLAS_SEEDS_DIR": str(MINI)}
    run = [sys.executable, "-m", "graph.cli"]
    load = subprocess.run([*run, "load"], env=env, capture_output=True, text=True, timeout=120)
    assert load.returncode == 0, load.stderr
    r = subprocess.run([*run, "gaps", "ch.t.nylon", "--json"], env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["chain_id"] == "ch.t.nylon"

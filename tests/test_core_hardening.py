"""The loader cannot be made to hang, no loose coercion, load keeps what it did not load,
and the CLI reports expected failures without a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from graph.errors import SeedErrors
from graph.loadplan import plan_load
from graph.model import Atlas, Company, County, Project, Source, StageChange
from graph.store.embedded import EmbeddedStore
from graph.yamlsrc import MAX_DEPTH, read_yaml_text
from tests.conftest import MINI

BOMB = "l0: &l0 [" + ", ".join(["x"] * 9) + "]\n" + "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))
"""The billion-laughs shape: 9**9 values from a few hundred bytes."""


def _problem(text: str) -> str:
    t0 = time.monotonic()
    with pytest.raises(SeedErrors) as info:
        read_yaml_text(text, "seeds/chains/bad.yaml")
    assert time.monotonic() - t0 < 10.0  # about 1 s on a quiet machine (deep nesting)
    (p,) = info.value.problems
    assert p.file == "seeds/chains/bad.yaml" and p.line is not None
    return p.message


def test_alias_bomb_is_refused_with_a_line() -> None:
    assert len(BOMB) < 500
    assert "alias bomb" in _problem(BOMB)


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    assert str(MAX_DEPTH) in _problem("[" * 50_000 + "]" * 50_000)


def test_self_referencing_alias_is_refused() -> None:
    assert "own ancestor" in _problem("a: &x\n  - 1\n  - *x\n")


def test_too_many_aliases_are_refused() -> None:
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * 101) + "]\n"
    assert "aliases" in _problem(text)


def test_plain_aliases_still_work() -> None:
    data, _ = read_yaml_text("a: &x [1, 2]\nb: *x\n", "f.yaml")
    assert data == {"a": [1, 2], "b": [1, 2]}


SRC = {"public": "测试", "as_of": "2026-11-01"}


@pytest.mark.parametrize(("field", "value"), [("lon", False), ("lat", True)])
def test_a_boolean_is_never_a_coordinate(field: str, value: bool) -> None:
    data = {"id": "county.x", "name": "某县", "lat": 35.0, "lon": 111.0, "src": SRC, field: value}
    with pytest.raises(ValidationError) as info:
        County.model_validate(data)
    assert info.value.errors()[0]["loc"] == (field,)


def test_a_number_is_never_a_date() -> None:
    with pytest.raises(ValidationError) as info:
        Source.model_validate({"public": "x", "as_of": 0})
    assert info.value.errors()[0]["loc"] == ("as_of",)
    assert str(Source.model_validate({"public": "x", "as_of": "2026-11-01"}).as_of) == "2026-11-01"


def _with(atlas: Atlas, *entities: Company | Project) -> Atlas:
    """A copy of ``atlas`` with ``entities`` added or replaced."""
    tables = {n: (dict(v) if isinstance(v, dict) else list(v))
              for n, v in ((n, getattr(atlas, n)) for n in Atlas.model_fields)}
    for e in entities:
        tables["companies" if isinstance(e, Company) else "projects"][e.id] = e
    return Atlas.from_tables(tables)


SEED_PROJECT = Project(id="proj.seed-1", name="种子项目", investor="某公司", stage="线索",
                       src=Source(public="规划", as_of="2026-11-01"))


def _seeds(mini: Atlas) -> Atlas:
    return _with(mini, SEED_PROJECT)


def _imported(mini: Atlas) -> Atlas:
    """The seeds plus an imported firm, a ledger project, and the seed project moved on."""
    firm = Company(id="co.imported-x", name="导入企业", role="target",
                   src=Source(dataset="CKG", key="000001"))
    led = Project(id="proj.ledger-1", name="台账项目", investor="某公司", stage="对接",
                  src=Source(dataset="台账 a.xlsx", key="第2行"))
    moved = SEED_PROJECT.model_copy(update={"stage": "对接", "history": [StageChange(
        from_stage="线索", to_stage="对接", at="2026-11-01", by="专班")]})
    return _with(_seeds(mini), firm, led, moved)


def test_reload_keeps_imports_ledgers_and_history(mini_atlas: Atlas) -> None:
    current = _imported(mini_atlas)
    plan = plan_load(current, _seeds(mini_atlas))
    assert plan.safe, (plan.lost, plan.dangling)
    assert "co.imported-x" in plan.atlas.companies
    assert "proj.ledger-1" in plan.atlas.projects
    assert plan.kept == {"company": 1, "project": 1, "project_history": 1}
    moved = plan.atlas.projects["proj.seed-1"]
    assert moved.stage == "对接" and moved.history[0].by == "专班"


def test_reload_lists_what_the_seeds_no_longer_hold(mini_atlas: Atlas) -> None:
    gone = Company(id="co.api-made", name="手工录入", role="target",
                   src=Source(public="录入", as_of="2026-11-01"))
    plan = plan_load(_with(mini_atlas, gone), mini_atlas)
    assert not plan.safe
    assert plan.lost == ["company co.api-made 手工录入"]


def _cli(args: list[str], tmp: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "ATLAS_DATA_DIR": str(tmp / "data"), "ATLAS_SEEDS_DIR": str(MINI),
            **env}
    return subprocess.run([sys.executable, "-m", "graph.cli", *args], capture_output=True,
                          text=True, env=full, timeout=120)


def test_cli_load_refuses_to_lose_and_keeps_imports(tmp_path: Path, mini_atlas: Atlas) -> None:
    store = EmbeddedStore(tmp_path / "data" / "atlas.sqlite")
    imported = _imported(mini_atlas)
    store.replace_all(Atlas.from_tables({**{n: getattr(imported, n) for n in Atlas.model_fields},
                                         "projects": {k: v for k, v in imported.projects.items()
                                                      if k != "proj.seed-1"}}))
    store.create(Company(id="co.api-made", name="手工录入", role="target",
                         src=Source(public="录入", as_of="2026-11-01")))
    store.close()
    refused = _cli(["load"], tmp_path)
    assert refused.returncode == 2
    assert "co.api-made" in refused.stderr and "load_refused" in refused.stderr
    assert "Traceback" not in refused.stderr
    pruned = _cli(["load", "--prune", "--json"], tmp_path)
    assert pruned.returncode == 0, pruned.stderr
    counts = json.loads(pruned.stdout)
    assert counts["company"] == len(mini_atlas.companies) + 1
    assert counts["project"] == len(mini_atlas.projects) + 1
    whole = _cli(["load", "--replace-all", "--json"], tmp_path)
    assert json.loads(whole.stdout)["company"] == len(mini_atlas.companies)


@pytest.mark.parametrize("args", [
    ["pipeline", "import", "nope.xlsx", "--by", "测试"],
    ["import", "ckg", "no-such-dir"],
])
def test_expected_failures_print_no_traceback(tmp_path: Path, args: list[str]) -> None:
    r = _cli(args, tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "（" in r.stderr and "）" in r.stderr  # 中文标题（english_code）


def test_unreachable_neo4j_is_a_message(tmp_path: Path) -> None:
    r = _cli(["stats"], tmp_path, ATLAS_STORE="neo4j", ATLAS_NEO4J_URI="bolt://127.0.0.1:9")
    assert r.returncode == 1
    assert "store_unavailable" in r.stderr and "Traceback" not in r.stderr


def test_check_says_when_quotes_are_not_verified(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(MINI, seeds)
    r = _cli(["check"], tmp_path, ATLAS_SEEDS_DIR=str(seeds),
             ATLAS_SOURCES_DIR=str(tmp_path / "none"))
    assert r.returncode == 0
    assert "quotes_unverified" in r.stderr


def test_names_resolve_to_ids_and_ambiguity_lists_choices(mini_atlas: Atlas) -> None:
    from graph.errors import InvalidInput, NotFound
    from graph.resolve import resolve

    county = next(iter(mini_atlas.counties.values()))
    assert resolve(mini_atlas, "county", county.name) == county.id
    assert resolve(mini_atlas, "county", county.id) == county.id
    with pytest.raises(NotFound):
        resolve(mini_atlas, "county", "不存在的县")
    twin = county.model_copy(update={"id": "county.twin"})
    tables = {n: (dict(v) if isinstance(v, dict) else list(v))
              for n, v in ((n, getattr(mini_atlas, n)) for n in Atlas.model_fields)}
    tables["counties"][twin.id] = twin
    with pytest.raises(InvalidInput) as info:
        resolve(Atlas.from_tables(tables), "county", county.name)
    assert {d["value"] for d in info.value.details} == {county.id, "county.twin"}


def test_ls_lists_ids_with_names(tmp_path: Path) -> None:
    assert _cli(["load"], tmp_path).returncode == 0
    r = _cli(["ls", "segments", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows and all(row["id"].startswith("seg.") and row["name"] for row in rows)

"""The CLI: check, load, stats (exit codes and output)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import MINI


def run(args: list[str], tmp_path: Path, seeds: Path = MINI) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ATLAS_DATA_DIR": str(tmp_path / "data"), "ATLAS_SEEDS_DIR": str(seeds)}
    return subprocess.run([sys.executable, "-m", "graph.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_check_prints_counts(tmp_path: Path) -> None:
    r = run(["check", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["segment"] == 6


def test_check_exits_2_and_names_file_line_field(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(MINI, seeds)
    (seeds / "chains" / "broken.yaml").write_text(
        "defaults: {as_of: 2026-11-01}\nchains:\n  - {id: ch.b, name: 坏, cluster: x,"
        " src: {public: y}, colour: red}\n", encoding="utf-8")
    r = run(["check"], tmp_path, seeds)
    assert r.returncode == 2
    assert "chains/broken.yaml:3: chains[0].colour: unknown field" in r.stderr
    assert "nothing loaded" in r.stderr


def test_load_is_idempotent_and_failed_load_changes_nothing(tmp_path: Path) -> None:
    first = run(["load", "--json"], tmp_path)
    second = run(["load", "--json"], tmp_path)
    assert first.returncode == second.returncode == 0
    assert json.loads(first.stdout) == json.loads(second.stdout)
    seeds = tmp_path / "seeds"
    shutil.copytree(MINI, seeds)
    (seeds / "chains" / "nylon.yaml").write_text("chains: [{id: BAD}]\n", encoding="utf-8")
    bad = run(["load"], tmp_path, seeds)
    assert bad.returncode == 2
    stats = run(["stats", "--json"], tmp_path)
    assert json.loads(stats.stdout) == json.loads(first.stdout)


def test_every_command_and_option_has_help(tmp_path: Path) -> None:
    from typer.main import get_command

    from graph.cli import app

    group = get_command(app)
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        assert cmd.help, f"command {name} lacks help"
        for p in cmd.params:
            if p.param_type_name == "option" and p.name != "help":
                assert p.help, f"option {p.name} of {name} lacks help"

"""Hit rate against labelled producers, the decisive-component report, and their CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.analysis.target_checks import (
    TargetLabel,
    decisive_components,
    precision_at,
    read_target_labels,
    validate_targets,
)
from graph.analysis.vocab import ProductVocab
from graph.cli import app
from graph.errors import InvalidInput
from graph.model import Atlas, Figure
from tests.fixtures.analysis.build import SRC, F, build, seg

FIXTURES = Path(__file__).parent / "fixtures"


def atlas() -> Atlas:
    a = build(["a", "b", "c"], [["a", "b", "c"]],
              firms=[F("up", "a", role="anchor"), F("lead", "b", role="target"),
                     F("x", "b", role="target", tags=["世界500强"]),
                     F("y", "b", role="target"), F("z", "c", role="target")])
    a.companies["co.lead"].figures = [Figure(name="全国排名", product="产品b", value=1,
                                             unit="位", src=SRC)]
    a.companies["co.y"].figures = [Figure(name="全国排名", product="产品b", value=4,
                                          unit="位", src=SRC)]
    return a


def labels() -> list[TargetLabel]:
    return [TargetLabel.model_validate(
        {"segment": seg("b"), "product": "产品b",
         "producers": [{"id": "co.lead", "name": "企业lead", "leader": True},
                       {"name": "企业y"}, {"name": "不在图谱的企业"}]})]


def test_precision_at() -> None:
    assert precision_at([True] * 3 + [False] * 7, 5) == 0.6
    assert precision_at([True, False], 10) == 0.5
    assert precision_at([], 5) == 0.0


def test_validation_resolves_by_id_then_name_and_ranks_the_leader() -> None:
    a = atlas()
    v = validate_targets(a, labels(), vocab=ProductVocab.from_entries([], a), use_place=False)
    s = v.segments[0]
    assert (s.labelled, s.resolved, s.candidates) == (3, 2, 3)
    # market: lead rank 1 → 1.0, y rank 4 → 0.25; the leader is first
    assert s.leaders == {"企业lead": 1}
    assert s.top5[0] == "企业lead"
    # 2 of the 3 candidates are labelled producers
    assert s.precision_at_5 == s.precision_at_10 == pytest.approx(0.6667)
    assert v.precision_at_5 == pytest.approx(0.6667) and v.leaders_in_top3 == 1


def test_decisive_component_counts_every_gap_pair() -> None:
    a = atlas()
    d = decisive_components(a, vocab=ProductVocab.from_entries([], a), use_place=False)
    # gaps of ch.t: b (3 candidates) and c (one: co.z)
    assert (d.pairs, d.contested, d.sole_candidate, d.no_candidate) == (2, 1, 1, 0)
    assert d.counts == {"market": 1} and d.max_share == 1.0


def test_labels_file_errors_name_the_entry(tmp_path: Path) -> None:
    f = tmp_path / "t.yaml"
    f.write_text("- {segment: seg.x, producers: []}\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="entry 0: producers"):
        read_target_labels(f)


def test_validate_targets_cli(tmp_path: Path) -> None:
    f = tmp_path / "t.yaml"
    f.write_text("- segment: seg.t.cpl\n  product: 己内酰胺\n  producers:\n"
                 "    - {id: 600426.SH, name: 华鲁恒升, leader: true}\n"
                 "  basis: {public: 测试, as_of: 2025-01-01}\n", encoding="utf-8")
    seeds = str(FIXTURES / "mini")
    r = CliRunner().invoke(app, ["validate", "targets", "--labels", str(f), "--seeds", seeds,
                                 "--json", "--decisive"])
    assert r.exit_code == 0, r.stderr
    body = json.loads(r.stdout)
    assert body["validation"]["precision_at_5"] == 1.0
    assert body["validation"]["segments"][0]["leaders"] == {"华鲁恒升": 1}
    assert body["decisive"]["pairs"] >= 1
    r = CliRunner().invoke(app, ["validate", "targets", "--labels", str(f), "--seeds", seeds])
    assert r.exit_code == 0 and "precision@5 = 1.00" in r.stdout
    bad = CliRunner().invoke(app, ["validate", "targets", "--labels", str(tmp_path / "no.yaml"),
                                   "--seeds", seeds])
    assert bad.exit_code == 2 and "cannot read labels" in bad.stderr

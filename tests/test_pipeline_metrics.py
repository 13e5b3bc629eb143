"""The three rates, 三未 lists, warnings and slices on a hand-built ledger."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.errors import NotFound
from graph.model import Atlas, Project, StageChange
from graph.pipeline.metrics import Slice, pipeline_metrics

TODAY = dt.date(2026, 6, 30)
SRC = {"public": "测试台账", "as_of": "2026-06-30"}


def hist(*steps: tuple[str, str]) -> list[StageChange]:
    out, prev = [], None
    for stage, day in steps:
        out.append(StageChange(from_stage=prev, to_stage=stage, at=dt.date.fromisoformat(day),
                               by="测试"))
        prev = stage
    return out


def p(pid: str, stage: str, *, amount: float | None = None, county: str = "county.hejin",
      stage_date: str | None = None, history: list[StageChange] | None = None,
      team: str | None = None, segments: tuple[str, ...] = ("seg.t.cpl",)) -> Project:
    return Project(id=f"proj.t.{pid}", name=f"项目{pid}", investor="某公司", stage=stage,
                   amount=amount, county=county, segments=list(segments), team=team,
                   stage_date=dt.date.fromisoformat(stage_date) if stage_date else None,
                   history=history or [], src=SRC)


@pytest.fixture
def ledger(mini_atlas: Atlas) -> Atlas:
    projects = [
        p("a", "签约", amount=10, stage_date="2026-01-01"),
        p("b", "开工", amount=20, county="county.jishan", segments=("seg.t.pa6",),
          history=hist(("签约", "2025-10-01"), ("开工", "2025-12-01"))),
        p("c", "投产", amount=30, history=hist(("签约", "2025-01-01"), ("开工", "2025-03-01"),
                                               ("投产", "2025-05-01"))),
        p("d", "达效", amount=40, history=hist(("签约", "2024-01-01"), ("开工", "2024-03-01"),
                                               ("投产", "2024-09-01"), ("达效", "2025-09-01"))),
        p("e", "终止", amount=5, history=hist(("签约", "2025-02-01"), ("开工", "2025-04-01"),
                                              ("终止", "2025-08-01"))),
        p("f", "线索", stage_date="2026-01-15"),
        p("g", "签约", amount=15, stage_date="2025-11-01", team="新材料专班"),
    ]
    return mini_atlas.model_copy(update={"projects": {x.id: x for x in projects}})


def test_rates_by_count_and_amount(ledger: Atlas) -> None:
    m = pipeline_metrics(ledger, Slice(), today=TODAY)
    r = m.rates
    assert (r["sign_to_start"].numerator, r["sign_to_start"].denominator) == (4, 6)
    assert r["sign_to_start"].by_count == pytest.approx(0.6667)
    assert r["sign_to_start"].by_amount == pytest.approx(95 / 120, abs=1e-4)
    assert (r["start_to_produce"].numerator, r["start_to_produce"].denominator) == (2, 4)
    assert r["start_to_produce"].by_amount == pytest.approx(70 / 95, abs=1e-4)
    assert (r["produce_to_effect"].numerator, r["produce_to_effect"].denominator) == (1, 2)
    assert r["produce_to_effect"].name == "投产达效率"


def test_stage_counts_and_amounts(ledger: Atlas) -> None:
    m = pipeline_metrics(ledger, Slice(), today=TODAY)
    by = {s.stage.value: (s.count, s.amount) for s in m.stages}
    assert by["签约"] == (2, 25) and by["开工"] == (1, 20) and by["线索"] == (1, 0)
    assert m.total == 7 and m.terminated == 1 and m.amount == 120


def test_sanwei_lists(ledger: Atlas) -> None:
    m = pipeline_metrics(ledger, Slice(), today=TODAY)
    ids = {k: [x.project_id for x in v] for k, v in m.sanwei.items()}
    assert ids["signed_not_started"] == ["proj.t.g", "proj.t.a"]  # longest wait first
    assert ids["started_not_producing"] == ["proj.t.b"]
    assert ids["producing_not_effective"] == ["proj.t.c"]
    assert m.sanwei["signed_not_started"][0].days == (TODAY - dt.date(2025, 11, 1)).days


def test_warnings_yellow_and_red(ledger: Atlas) -> None:
    m = pipeline_metrics(ledger, Slice(), today=TODAY)
    lights = {w.project_id: w.light for w in m.warnings}
    assert lights == {"proj.t.g": "红灯", "proj.t.f": "红灯", "proj.t.a": "黄灯",
                      "proj.t.c": "黄灯"}
    assert [w.light for w in m.warnings][:2] == ["红灯", "红灯"]


def test_slices(ledger: Atlas) -> None:
    assert pipeline_metrics(ledger, Slice(county="county.jishan"), today=TODAY).total == 1
    assert pipeline_metrics(ledger, Slice(segment="seg.t.pa6"), today=TODAY).total == 1
    assert pipeline_metrics(ledger, Slice(team="新材料专班"), today=TODAY).total == 1
    assert pipeline_metrics(ledger, Slice(chain="ch.t.nylon"), today=TODAY).total == 7
    with pytest.raises(NotFound):
        pipeline_metrics(ledger, Slice(county="county.nowhere"), today=TODAY)


def test_period_restricts_denominators(ledger: Atlas) -> None:
    s = Slice(period_from=dt.date(2026, 1, 1), period_to=dt.date(2026, 6, 30))
    m = pipeline_metrics(ledger, s, today=TODAY)
    rate = m.rates["sign_to_start"]
    assert (rate.numerator, rate.denominator) == (0, 1)  # only a entered 签约 in the period
    assert m.total == 2  # a and f entered their current stage in the period


def test_undated_projects_get_no_light_and_are_listed(mini_atlas: Atlas) -> None:
    old = Project(id="proj.t.old", name="规划项目", investor="某公司", stage="签约",
                  src={"public": "2021年规划", "as_of": "2021-12-31"})
    dated = p("dated", "签约", stage_date="2025-01-01")
    atlas = mini_atlas.model_copy(update={"projects": {x.id: x for x in (old, dated)}})
    m = pipeline_metrics(atlas, Slice(), today=TODAY)
    assert [w.project_id for w in m.warnings] == ["proj.t.dated"]
    assert m.date_unknown_count == 1
    row = m.date_unknown[0]
    assert (row.project_id, row.days, row.light, row.date_known) == ("proj.t.old", None, None,
                                                                    False)
    # still a 签而未落 project, listed after the dated ones
    assert [x.project_id for x in m.sanwei["signed_not_started"]] == ["proj.t.dated",
                                                                     "proj.t.old"]


def test_first_move_of_an_undated_project_keeps_its_entry_unknown() -> None:
    from graph.pipeline.lifecycle import entered_on, transition
    old = Project(id="proj.t.old", name="规划项目", investor="某公司", stage="签约",
                  src={"public": "2021年规划", "as_of": "2021-12-31"})
    moved = transition(old, "开工", by="专班", at=dt.date(2026, 3, 1))
    assert entered_on(moved, moved.stage) == dt.date(2026, 3, 1)
    assert entered_on(moved, old.stage) is None
    assert moved.history[0].date_known is False


def test_seed_ledger_warnings_are_honest(seed_atlas: Atlas) -> None:
    m = pipeline_metrics(seed_atlas, Slice(), today=dt.date(2026, 12, 1))
    undated = [x for x in seed_atlas.projects.values() if x.stage_date is None
               and not x.history and x.stage.value != "终止"]
    assert m.date_unknown_count == len(undated) > 0
    assert all(w.date_known for w in m.warnings)
    assert len(m.warnings) < 264

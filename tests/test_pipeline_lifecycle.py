"""Every transition rule of the project lifecycle."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.model import Project, ProjectStage
from graph.pipeline.lifecycle import TransitionRefused, entered_on, reached, transition

D = dt.date(2026, 1, 1)


def project(stage: str = "线索") -> Project:
    return Project(id="proj.t.a", name="测试项目", investor="某公司", stage=stage,
                   src={"public": "测试", "as_of": "2025-12-01"})


def test_forward_one_step_is_recorded() -> None:
    p = transition(project(), "对接", by="小分队甲", at=D, reason="首次拜访")
    assert p.stage is ProjectStage.contact
    assert p.stage_date == D
    h = p.history[-1]
    assert (h.from_stage, h.to_stage, h.by, h.reason) == (
        ProjectStage.lead, ProjectStage.contact, "小分队甲", "首次拜访")


def test_original_is_not_mutated() -> None:
    p = project()
    transition(p, "对接", by="x", at=D)
    assert p.stage is ProjectStage.lead and p.history == []


@pytest.mark.parametrize(("start", "to"), [("线索", "签约"), ("线索", "达效"), ("对接", "开工"),
                                           ("签约", "投产"), ("开工", "达效")])
def test_skipping_is_refused(start: str, to: str) -> None:
    with pytest.raises(TransitionRefused, match="skips_stage"):
        transition(project(start), to, by="x", at=D, reason="理由也不行")


def test_full_walk_reaches_effective() -> None:
    p = project()
    for i, st in enumerate(["对接", "签约", "开工", "投产", "达效"]):
        p = transition(p, st, by="专班", at=D + dt.timedelta(days=i))
    assert p.stage is ProjectStage.effective
    assert [h.to_stage.value for h in p.history] == ["线索", "对接", "签约", "开工", "投产", "达效"]
    assert p.history[0].by == "初始登记"
    assert reached(p) == set(ProjectStage) - {ProjectStage.terminated}


def test_moving_back_needs_reason() -> None:
    p = project("开工")
    with pytest.raises(TransitionRefused, match="reason_required"):
        transition(p, "签约", by="x", at=D)
    q = transition(p, "签约", by="x", at=D, reason="施工许可被撤回")
    assert q.stage is ProjectStage.signed
    assert ProjectStage.started in reached(q)  # it did reach 开工 once


def test_terminate_needs_reason_and_keeps_reached_stages() -> None:
    p = project("签约")
    with pytest.raises(TransitionRefused, match="终止项目须填写原因"):
        transition(p, "终止", by="x", at=D)
    q = transition(p, "终止", by="x", at=D, reason="企业资金链断裂")
    assert q.stage is ProjectStage.terminated
    assert ProjectStage.signed in reached(q)
    assert ProjectStage.started not in reached(q)


def test_reopen_only_at_terminated_stage_with_reason() -> None:
    q = transition(project("签约"), "终止", by="x", at=D, reason="暂停")
    with pytest.raises(TransitionRefused, match="reopen_stage"):
        transition(q, "开工", by="x", at=D, reason="恢复")
    with pytest.raises(TransitionRefused, match="reason_required"):
        transition(q, "签约", by="x", at=D)
    r = transition(q, "签约", by="x", at=D, reason="恢复洽谈")
    assert r.stage is ProjectStage.signed and len(r.history) == 3


def test_same_stage_and_backdated_and_anonymous_are_refused() -> None:
    p = transition(project(), "对接", by="x", at=D)
    with pytest.raises(TransitionRefused, match="same_stage"):
        transition(p, "对接", by="x", at=D)
    with pytest.raises(TransitionRefused, match="date_before_last"):
        transition(p, "签约", by="x", at=D - dt.timedelta(days=1))
    with pytest.raises(Exception, match="by_required"):
        transition(p, "签约", by="  ", at=D)


def test_entered_on_prefers_history_then_stage_date() -> None:
    p = project("签约").model_copy(update={"stage_date": dt.date(2025, 6, 1)})
    assert entered_on(p, ProjectStage.signed) == dt.date(2025, 6, 1)
    q = transition(p, "开工", by="x", at=D)
    assert entered_on(q, ProjectStage.started) == D
    assert entered_on(q, ProjectStage.signed) == dt.date(2025, 6, 1)

"""Project lifecycle: 线索 → 对接 → 签约 → 开工 → 投产 → 达效, plus 终止.

Rules (:func:`transition`):

* Forward moves go one stage at a time: no silent skipping (线索 → 签约 is refused).
* Moving back (e.g. 开工 → 签约) needs a reason.
* Any live stage may move to 终止, with a reason. A terminated project may be
  reopened only to the stage it was terminated at, with a reason.
* Every transition is recorded in ``history`` with date, who and why; the
  project's ``stage`` and ``stage_date`` follow the last one. The first recorded
  change also records the stage the project stood at before (by 初始登记, dated
  by its ``stage_date`` or source date), so entry dates are never lost.

>>> import datetime as dt
>>> from graph.model import Project
>>> p = Project(id="proj.x", name="项目", investor="某公司", stage="签约",
...             src={"public": "例", "as_of": "2026-01-01"})
>>> q = transition(p, "开工", by="招商专班", at=dt.date(2026, 3, 1))
>>> q.stage.value, [(h.to_stage.value, h.by) for h in q.history]
('开工', [('签约', '初始登记'), ('开工', '招商专班')])
>>> transition(q, "达效", by="招商专班", at=dt.date(2026, 4, 1))
Traceback (most recent call last):
...
graph.pipeline.lifecycle.TransitionRefused: 开工 → 达效 跳过了 投产，请逐级推进 (skips_stage)
"""

from __future__ import annotations

import datetime as dt

from graph.errors import InvalidInput
from graph.model import PROJECT_STAGE_ORDER, Project, ProjectStage, StageChange

LIVE = PROJECT_STAGE_ORDER


class TransitionRefused(InvalidInput):
    """A stage change that the lifecycle rules do not allow."""

    code = "transition_refused"


def rank(stage: ProjectStage) -> int:
    """Position of a live stage (线索 = 0 … 达效 = 5)."""
    return LIVE.index(stage)


def terminated_at(project: Project) -> ProjectStage | None:
    """The stage a terminated project was at when it was terminated."""
    for h in reversed(project.history):
        if h.to_stage is ProjectStage.terminated:
            return h.from_stage
    return None


def check_transition(project: Project, to: ProjectStage, reason: str) -> None:
    """Raise :class:`TransitionRefused` unless ``project`` may move to ``to``."""
    here = project.stage
    why = reason.strip()
    detail = [{"field": "stage", "from": here.value, "to": to.value}]
    if to is here:
        raise TransitionRefused(f"项目已处于{here.value}阶段 (same_stage)", details=detail)
    if to is ProjectStage.terminated:
        if not why:
            raise TransitionRefused("终止项目须填写原因 (reason_required)", details=detail)
        return
    if here is ProjectStage.terminated:
        back = terminated_at(project)
        if back is not None and to is not back:
            raise TransitionRefused(
                f"已终止项目只能恢复到终止前的{back.value}阶段，不能到{to.value} "
                "(reopen_stage)", details=detail)
        if not why:
            raise TransitionRefused("恢复已终止项目须填写原因 (reason_required)", details=detail)
        return
    step = rank(to) - rank(here)
    if step > 1:
        skipped = "、".join(s.value for s in LIVE[rank(here) + 1:rank(to)])
        raise TransitionRefused(
            f"{here.value} → {to.value} 跳过了 {skipped}，请逐级推进 (skips_stage)",
            details=detail)
    if step < 0 and not why:
        raise TransitionRefused(f"{here.value} → {to.value} 为回退，须填写原因 (reason_required)",
                                details=detail)


def transition(project: Project, to: ProjectStage | str, *, by: str, at: dt.date,
               reason: str = "") -> Project:
    """A copy of ``project`` moved to stage ``to``, with the change recorded."""
    target = ProjectStage(to)
    if not by.strip():
        raise InvalidInput("须填写变更人 (by_required)", details=[{"field": "by"}])
    check_transition(project, target, reason)
    if project.history and at < project.history[-1].at:
        raise TransitionRefused(
            f"日期 {at} 早于上次记录的变更（{project.history[-1].at}） (date_before_last)",
            details=[{"field": "at"}])
    history = list(project.history)
    if not history:
        # keep when the project entered the stage it had before its first recorded change
        since = project.stage_date or project.src.as_of or at
        history.append(StageChange(to_stage=project.stage, at=min(since, at), by="初始登记",
                                   date_known=project.stage_date is not None))
    change = StageChange(from_stage=project.stage, to_stage=target, at=at, by=by.strip(),
                         reason=reason.strip())
    return project.model_copy(update={
        "stage": target, "stage_date": at, "history": [*history, change]})


def check_replace(old: Project, new: Project) -> None:
    """A whole-record update may not change the stage or rewrite the history: stage
    changes go through :func:`transition` (``POST /projects/{id}/stage``)."""
    if new.stage is not old.stage or new.stage_date != old.stage_date \
            or new.history != old.history:
        raise TransitionRefused(
            "整体更新不能修改阶段、阶段日期或历史，请通过阶段变更接口 (stage_via_transition)",
            details=[{"field": "body.stage", "from": old.stage.value, "to": new.stage.value}])


def reached(project: Project) -> set[ProjectStage]:
    """Live stages the project has reached: every stage up to its current (or, if
    terminated, its last live) stage, plus any recorded in its history."""
    here = project.stage
    if here is ProjectStage.terminated:
        here = terminated_at(project) or ProjectStage.lead
    out = set(LIVE[:rank(here) + 1])
    for h in project.history:
        out.update(st for st in (h.from_stage, h.to_stage) if st in LIVE)
    return out


def entered_on(project: Project, stage: ProjectStage) -> dt.date | None:
    """When the project last entered ``stage`` (history first, then ``stage_date``), or
    None when nobody recorded it. The source's date is not a stage date: a plan dated 2021
    that lists a project says nothing of when it was signed.

    >>> from graph.model import Project
    >>> p = Project(id="proj.x", name="项目", investor="某公司", stage="签约",
    ...             src={"public": "例", "as_of": "2021-01-01"})
    >>> entered_on(p, p.stage) is None
    True
    """
    for h in reversed(project.history):
        if h.to_stage is stage:
            return h.at if h.date_known else None
    if project.stage is stage:
        return project.stage_date
    return None

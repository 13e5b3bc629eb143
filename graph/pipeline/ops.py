"""Pipeline writes through a store: stage transitions, whole-record project updates,
ledger imports, campaigns.

Every write is read-validate-write inside **one** store transaction
(:meth:`~graph.store.base.AtlasStore.transact`): the project or campaign is re-read
inside the write transaction (SQLite ``BEGIN IMMEDIATE``; Neo4j with the version
counter locked), so the lifecycle rule is checked against the current stage and
``rev``, whichever process wrote last. Two concurrent moves cannot both succeed from
the same stage, and a write based on an older ``rev`` is refused (409), never applied
over a change it did not see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from graph.errors import Conflict, NotFound
from graph.model import Atlas, Campaign, Entity, Project, ProjectStage
from graph.pipeline import campaigns
from graph.pipeline.excel import LedgerImport, LedgerRows, import_rows, read_ledger
from graph.pipeline.lifecycle import check_replace, transition
from graph.store.base import AtlasStore


def _project(atlas: Atlas, project_id: str) -> Project:
    p = atlas.projects.get(project_id)
    if p is None:
        raise NotFound(f"项目 {project_id!r} 不存在 (not_found)", details=[{"field": "id"}])
    return p


def check_rev(kind: str, entity_id: str, current: int, given: int | None) -> None:
    """Conflict unless ``given`` (the rev the caller read; None: not checked) is current."""
    if given is not None and given != current:
        raise Conflict(f"{kind} {entity_id!r} 已被他人修改（你的版本 {given}，当前版本 "
                       f"{current}），请刷新后重试 (stale_rev)",
                       details=[{"field": "rev", "expected": current, "given": given}])


def move_project(store: AtlasStore, project_id: str, to: ProjectStage, *, by: str,
                 reason: str = "", at: dt.date | None = None,
                 rev: int | None = None) -> Project:
    """Apply a lifecycle transition to the project as stored now, in one transaction."""
    def change(atlas: Atlas) -> Sequence[Entity]:
        p = _project(atlas, project_id)
        check_rev("项目", project_id, p.rev, rev)
        moved = transition(p, to, by=by, reason=reason, at=at or dt.date.today())
        return [moved.model_copy(update={"rev": p.rev + 1})]

    (moved,) = store.transact(change)
    assert isinstance(moved, Project)
    return moved


def replace_project(store: AtlasStore, project: Project) -> Project:
    """A whole-record update (PUT): based on the current ``rev``, without touching the
    stage, its date or the history (those change only by :func:`move_project`)."""
    def change(atlas: Atlas) -> Sequence[Entity]:
        old = _project(atlas, project.id)
        check_rev("项目", project.id, old.rev, project.rev)
        check_replace(old, project)
        return [project.model_copy(update={"rev": old.rev + 1})]

    (saved,) = store.transact(change)
    assert isinstance(saved, Project)
    return saved


def import_projects(store: AtlasStore, data: bytes, *, filename: str, by: str,
                    today: dt.date | None = None) -> LedgerImport:
    """Validate a ledger and write all its projects in one transaction (or nothing)."""
    return import_parsed(store, read_ledger(data, filename=filename), by=by, today=today)


def import_parsed(store: AtlasStore, rows: LedgerRows, *, by: str,
                  today: dt.date | None = None) -> LedgerImport:
    """Write a parsed ledger: every row is validated against the atlas as it stands inside
    the write transaction (stage changes checked against the current stage)."""
    result: list[LedgerImport] = []

    def change(atlas: Atlas) -> Sequence[Entity]:
        res = import_rows(atlas, rows, by=by, today=today or dt.date.today())
        result.append(res)
        return res.projects

    store.transact(change)
    return result[-1]


def create_campaign(store: AtlasStore, campaign: Campaign) -> Campaign:
    """Start a campaign: take its baseline and store it."""
    def change(atlas: Atlas) -> Sequence[Entity]:
        if atlas.find(campaign.id) is not None:
            raise Conflict(f"编号 {campaign.id!r} 已存在 (exists)", details=[{"field": "id"}])
        return [campaigns.start(atlas, campaign.model_copy(update={"rev": 0}))]

    (started,) = store.transact(change)
    assert isinstance(started, Campaign)
    return started


def update_campaign(store: AtlasStore, campaign: Campaign) -> Campaign:
    """Replace a campaign's plan (targets, next steps, projects) based on its current
    ``rev``; its baseline is kept."""
    def change(atlas: Atlas) -> Sequence[Entity]:
        old = atlas.campaigns.get(campaign.id)
        if old is None:
            raise NotFound(f"招商行动 {campaign.id!r} 不存在 (not_found)",
                           details=[{"field": "id"}])
        check_rev("招商行动", campaign.id, old.rev, campaign.rev)
        checked = campaigns.start(atlas, campaign)
        return [checked.model_copy(update={"baseline": old.baseline, "rev": old.rev + 1})]

    (kept,) = store.transact(change)
    assert isinstance(kept, Campaign)
    return kept

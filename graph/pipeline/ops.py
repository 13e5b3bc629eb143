"""Pipeline writes through a store: stage transitions, ledger imports, campaigns.

Each is read-validate-write; a process-wide lock serialises them so that two
transitions of one project in one process cannot interleave.
"""

from __future__ import annotations

import datetime as dt
import threading

from graph.errors import Conflict, NotFound
from graph.model import Atlas, Campaign, Project, ProjectStage
from graph.pipeline import campaigns
from graph.pipeline.excel import LedgerImport, import_ledger
from graph.pipeline.lifecycle import transition
from graph.store.base import AtlasStore

_LOCK = threading.Lock()


def _project(atlas: Atlas, project_id: str) -> Project:
    p = atlas.projects.get(project_id)
    if p is None:
        raise NotFound(f"no project {project_id!r}", details=[{"field": "id"}])
    return p


def move_project(store: AtlasStore, project_id: str, to: ProjectStage, *, by: str,
                 reason: str = "", at: dt.date | None = None) -> Project:
    """Apply a lifecycle transition to a stored project and save it."""
    with _LOCK:
        p = _project(store.snapshot(), project_id)
        moved = transition(p, to, by=by, reason=reason, at=at or dt.date.today())
        store.update(moved)
        return moved


def import_projects(store: AtlasStore, data: bytes, *, filename: str, by: str,
                    today: dt.date | None = None) -> LedgerImport:
    """Validate a ledger and write all its projects in one atomic merge (or nothing)."""
    with _LOCK:
        atlas = store.snapshot()
        result = import_ledger(atlas, data, filename=filename, by=by,
                               today=today or dt.date.today())
        if result.projects:
            store.merge(Atlas(projects={p.id: p for p in result.projects}))
        return result


def create_campaign(store: AtlasStore, campaign: Campaign) -> Campaign:
    """Start a campaign: take its baseline and store it."""
    with _LOCK:
        atlas = store.snapshot()
        if atlas.find(campaign.id) is not None:
            raise Conflict(f"id {campaign.id!r} exists", details=[{"field": "id"}])
        started = campaigns.start(atlas, campaign)
        store.create(started)
        return started


def update_campaign(store: AtlasStore, campaign: Campaign) -> Campaign:
    """Replace a campaign's plan (targets, next steps, projects); its baseline is kept."""
    with _LOCK:
        atlas = store.snapshot()
        old = atlas.campaigns.get(campaign.id)
        if old is None:
            raise NotFound(f"no campaign {campaign.id!r}", details=[{"field": "id"}])
        checked = campaigns.start(atlas, campaign)
        kept = checked.model_copy(update={"baseline": old.baseline})
        store.update(kept)
        return kept

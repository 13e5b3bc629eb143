"""Investment projects: filtered list, detail and stage changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import Limit, Offset, ServiceDep, Writer, known
from api.errors import READ_ERRORS, WRITE_ERRORS
from api.examples import ex
from api.schemas import Page, StageChange, page
from graph.model import Project, ProjectStage

router = APIRouter(prefix="/projects", tags=["projects"])

ProjectId = Annotated[str, Path(description="Project id.",
                                openapi_examples=ex("proj.ankun-coking"))]


@router.get("", response_model=Page[Project], responses=READ_ERRORS,
            summary="List projects, filtered (stable order by id)")
def list_projects(
    service: ServiceDep, offset: Offset = 0, limit: Limit = 100,
    stage: Annotated[ProjectStage | None, Query(description="Only this stage.")] = None,
    county: Annotated[str | None, Query(description="Only projects in this county.",
                                        openapi_examples=ex("county.hejin"))] = None,
    park: Annotated[str | None, Query(description="Only projects in this park.",
                                      openapi_examples=ex("park.hejin-kfq"))] = None,
    segment: Annotated[str | None, Query(description="Only projects filling this segment.",
                                         openapi_examples=ex("seg.nylon.caprolactam"))] = None,
) -> Page[Project]:
    """Projects of the pipeline (项目四库) as `{data, count}` in id order, filtered by stage,
    county, park, segment or investor."""
    atlas = service.atlas()
    known(atlas, "county", county, "query.county")
    known(atlas, "park", park, "query.park")
    known(atlas, "segment", segment, "query.segment")
    items = [p for _, p in sorted(atlas.projects.items())
             if (stage is None or p.stage == stage) and (county is None or p.county == county)
             and (park is None or p.park == park)
             and (segment is None or segment in p.segments)]
    return page(items, offset, limit)


@router.get("/{project_id}", response_model=Project, responses=READ_ERRORS,
            summary="A project")
def get_project(project_id: ProjectId, service: ServiceDep) -> Project:
    """A project with its investor, segments, place, amount (亿元), stage and recorded stage
    history."""
    p = service.typed(project_id, Project)
    return p


@router.post("/{project_id}/stage", response_model=Project, responses=WRITE_ERRORS,
             summary="Move a project along its lifecycle (validated and recorded)")
def change_stage(project_id: ProjectId, change: StageChange, service: ServiceDep,
                 who: Writer) -> Project:
    """Move a project one stage along 线索 → 对接 → 签约 → 开工 → 投产 → 达效 (or to 终止). Needs
    a writer (key or session); moving back or to 终止 needs a reason; who, when and why are
    kept in its history and the audit trail."""
    return service.move(who, "api", project_id, change.stage, by=change.by,
                        reason=change.reason, at=change.date, rev=change.rev)

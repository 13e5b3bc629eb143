"""The project pipeline (项目四库): metrics, 三未, warnings, transitions, ledger import,
campaigns, conflicts and Excel export."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import Limit, Offset, ServiceDep, SettingsDep, WriteAuth
from api.errors import READ_ERRORS, WRITE_ERRORS
from api.schemas import Page, page
from graph.errors import InvalidInput
from graph.model import Campaign, Project, StageChange
from graph.pipeline import campaigns as camp
from graph.pipeline import ops, tables
from graph.pipeline.conflicts import Clash, find_conflicts
from graph.pipeline.excel import InvestorMatch
from graph.pipeline.metrics import Metrics, Slice, Stalled, pipeline_metrics
from graph.pipeline.reported import (
    Comparison,
    LedgerNote,
    MetricsWithReported,
    compare,
    ledger_note,
    reported_for,
    with_reported,
)
from graph.pipeline.xlsxout import to_xlsx
from graph.pipeline.xlsxsafe import parse_in_worker

router = APIRouter(tags=["pipeline"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Today = Annotated[dt.date | None, Query(description="Measure as of this day (default: today).")]


def slice_params(
    chain: Annotated[str | None, Query(examples=["ch.coking.nylon"])] = None,
    segment: Annotated[str | None, Query()] = None,
    county: Annotated[str | None, Query(examples=["county.hejin"])] = None,
    park: Annotated[str | None, Query()] = None,
    team: Annotated[str | None, Query(examples=["新材料专班"])] = None,
    period_from: Annotated[dt.date | None, Query()] = None,
    period_to: Annotated[dt.date | None, Query()] = None,
) -> Slice:
    return Slice(chain=chain, segment=segment, county=county, park=park, team=team,
                 period_from=period_from, period_to=period_to)


SliceDep = Annotated[Slice, Depends(slice_params)]


def _metrics(service: ServiceDep, s: Slice, today: dt.date | None) -> Metrics:
    day = today or dt.date.today()
    return service.cached(("pipeline", s.model_dump_json(), day),
                          lambda a: pipeline_metrics(a, s, today=day))


@router.get("/pipeline/metrics", response_model=MetricsWithReported, responses=READ_ERRORS,
            summary="Counts, investment, the three rates, 三未, warnings and 日期未知 for a "
                    "slice, with the reported statistics beside the computed ones")
def metrics(service: ServiceDep, settings: SettingsDep, s: SliceDep,
            today: Today = None) -> MetricsWithReported:
    m = _metrics(service, s, today)
    items = reported_for(settings.seeds_dir, settings.sources())
    return service.cached(("pipeline+reported", s.model_dump_json(), m.today),
                          lambda a: with_reported(a, m, items))


class ReportedView(BaseModel):
    ledger: LedgerNote
    reported: list[Comparison]


@router.get("/pipeline/reported", response_model=ReportedView, responses=READ_ERRORS,
            summary="Official statistics (报告值) beside the ledger's (计算值), with coverage")
def reported(service: ServiceDep, settings: SettingsDep, today: Today = None) -> ReportedView:
    day = today or dt.date.today()
    items = reported_for(settings.seeds_dir, settings.sources())
    return service.cached(("reported", day), lambda a: ReportedView(
        ledger=ledger_note(a), reported=compare(a, items, day)))


@router.get("/pipeline/undated", response_model=list[Stalled], responses=READ_ERRORS,
            summary="日期未知: live projects with no known stage date (no light; to complete)")
def undated(service: ServiceDep, s: SliceDep, today: Today = None) -> list[Stalled]:
    return _metrics(service, s, today).date_unknown


@router.get("/pipeline/warnings", response_model=list[Stalled], responses=READ_ERRORS,
            summary="Stalled projects with 黄灯/红灯, red first")
def warnings(service: ServiceDep, s: SliceDep, today: Today = None) -> list[Stalled]:
    return _metrics(service, s, today).warnings


@router.get("/pipeline/sanwei", response_model=dict[str, list[Stalled]], responses=READ_ERRORS,
            summary="三未 lists: 签而未落, 落而未投, 投未见效")
def sanwei(service: ServiceDep, s: SliceDep, today: Today = None) -> dict[str, list[Stalled]]:
    return _metrics(service, s, today).sanwei


ProjectId = Annotated[str, Path(description="Project id.", examples=["proj.x"])]


@router.get("/projects/{project_id}/history", response_model=list[StageChange],
            responses=READ_ERRORS, summary="A project's recorded stage changes")
def history(project_id: ProjectId, service: ServiceDep) -> list[StageChange]:
    p = service.typed(project_id, Project)
    return p.history


class ImportResult(BaseModel):
    created: list[str]
    updated: list[str]
    review: list[InvestorMatch]
    ignored_columns: list[str]


@router.post("/pipeline/import", response_model=ImportResult, responses=WRITE_ERRORS,
             dependencies=[WriteAuth], summary="Import a project ledger (台账, .xlsx body)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
async def import_ledger(
    request: Request, service: ServiceDep,
    by: Annotated[str, Query(min_length=1, description="Who imports (recorded).")],
    filename: Annotated[str, Query(description="Ledger name (recorded as source).")] = "台账.xlsx",
) -> ImportResult:
    """Size limits are checked before the workbook is opened (413/422); the parse runs in
    a worker process and the validate-and-write in a thread, never on the event loop."""
    data = await request.body()
    if not data:
        raise InvalidInput("请求体为空：请把 .xlsx 文件作为请求体发送 (empty_body)",
                           details=[{"field": "body"}])
    sheet = await to_thread.run_sync(parse_in_worker, data, filename)
    res = await to_thread.run_sync(
        lambda: ops.import_parsed(service.store, sheet, by=by))
    return ImportResult(created=res.created, updated=res.updated, review=res.review,
                        ignored_columns=res.ignored_columns)


@router.get("/pipeline/template.xlsx", responses={200: {"content": {XLSX: {}}}, **READ_ERRORS},
            response_class=Response, summary="The ledger template (台账模板) with drop-down lists")
def template(service: ServiceDep) -> Response:
    body = service.cached(("template",), tables.template)
    return Response(body, media_type=XLSX, headers={
        "Content-Disposition": "attachment; filename=ledger-template.xlsx; "
                               "filename*=UTF-8''%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx"})


CampaignBody = Annotated[Campaign, Body(openapi_examples={"campaign": {"value": {
    "id": "camp.nylon-2026", "name": "尼龙补链行动", "team": "新材料招商专班", "team_kind": "专班",
    "chain": "ch.coking.nylon", "segments": [], "targets": [], "started_on": "2026-01-01",
    "src": {"public": "专班立项", "as_of": "2026-01-01"}}}})]


@router.get("/campaigns", response_model=Page[Campaign], responses=READ_ERRORS,
            summary="List campaigns (stable order by id)")
def list_campaigns(service: ServiceDep, offset: Offset = 0, limit: Limit = 100,
                   team: Annotated[str | None, Query()] = None) -> Page[Campaign]:
    items = [c for _, c in sorted(service.atlas().campaigns.items())
             if team is None or c.team == team]
    return page(items, offset, limit)


@router.post("/campaigns", response_model=Campaign, status_code=201, responses=WRITE_ERRORS,
             dependencies=[WriteAuth], summary="Start a campaign (its baseline is taken now)")
def start_campaign(body: CampaignBody, service: ServiceDep) -> Campaign:
    return ops.create_campaign(service.store, body)


@router.put("/campaigns/{campaign_id}", response_model=Campaign, responses=WRITE_ERRORS,
            dependencies=[WriteAuth], summary="Update a campaign's plan (baseline kept)")
def update_campaign(campaign_id: str, body: CampaignBody, service: ServiceDep) -> Campaign:
    if body.id != campaign_id:
        raise InvalidInput("id in path and body differ", details=[{"field": "body.id"}])
    return ops.update_campaign(service.store, body)


@router.get("/campaigns/{campaign_id}", response_model=Campaign, responses=READ_ERRORS,
            summary="A campaign")
def get_campaign(campaign_id: str, service: ServiceDep) -> Campaign:
    c = service.typed(campaign_id, Campaign)
    return c


@router.get("/campaigns/{campaign_id}/report", response_model=camp.CampaignReport,
            responses=READ_ERRORS, summary="Gaps closed and completeness change since start")
def campaign_report(campaign_id: str, service: ServiceDep) -> camp.CampaignReport:
    c = get_campaign(campaign_id, service)
    return service.cached(("campaign", c.id), lambda a: camp.report(a, c))


@router.get("/conflicts", response_model=list[Clash], responses=READ_ERRORS,
            summary="Counties or parks chasing one firm or building one segment (错位招商)")
def conflicts(service: ServiceDep) -> list[Clash]:
    return service.cached(("conflicts",), find_conflicts)


@router.get("/export/{table}.xlsx", responses={200: {"content": {XLSX: {}}}, **READ_ERRORS},
            response_class=Response, summary="Export a list or metric table as Excel")
def export(table: tables.Table, service: ServiceDep, s: SliceDep, today: Today = None) -> Response:
    day = today or dt.date.today()
    headers, rows = service.cached(("table", table, s.model_dump_json(), day),
                                   lambda a: tables.table(a, table, s, day))
    body = to_xlsx(tables.TITLES[table], headers, rows)
    return Response(body, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{table}.xlsx"'})


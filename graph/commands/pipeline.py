"""``chain-atlas pipeline …``, ``chain-atlas campaign …`` and ``chain-atlas conflicts``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from graph.accounts import Accounts, cli_principal
from graph.errors import AtlasError
from graph.model import Atlas, Campaign, ProjectStage
from graph.pipeline import campaigns as camp
from graph.pipeline import tables
from graph.pipeline.conflicts import find_conflicts
from graph.pipeline.excel import read_ledger
from graph.pipeline.metrics import Slice, load_thresholds, pipeline_metrics
from graph.pipeline.reported import (
    MetricsWithReported,
    comparison_rows,
    reported_for,
    with_reported,
)
from graph.pipeline.xlsxout import Col, to_xlsx
from graph.service import AtlasService
from graph.settings import get_settings
from graph.store import AtlasStore, open_store

T = TypeVar("T")

pipeline_app = typer.Typer(help="Project pipeline (项目四库): metrics, transitions, ledgers.",
                           no_args_is_help=True)
campaign_app = typer.Typer(help="Chain-filling campaigns (补链/延链/强链行动).",
                           no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
TodayOpt = Annotated[str | None, typer.Option(help="Measure as of this day, YYYY-MM-DD.")]
ChainOpt = Annotated[str | None, typer.Option(help="Only projects of this chain (and sub-chains).")]
SegmentOpt = Annotated[str | None, typer.Option(help="Only projects filling this segment.")]
CountyOpt = Annotated[str | None, typer.Option(help="Only projects in this county.")]
ParkOpt = Annotated[str | None, typer.Option(help="Only projects in this park.")]
TeamOpt = Annotated[str | None, typer.Option(help="Only projects of this team (专班/小分队).")]
FromOpt = Annotated[str | None, typer.Option("--from", help="Period start, YYYY-MM-DD.")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Period end, YYYY-MM-DD.")]


def _day(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{name}: expected YYYY-MM-DD, got {value!r}") from exc


def _write(fn: Callable[[AtlasService], T]) -> T:
    """Run a write through the service's write path (permission, transaction, audit with
    entry point ``cli``); the store is closed after."""
    settings = get_settings()
    store: AtlasStore = open_store(settings)
    try:
        return fn(AtlasService(store, Accounts(settings.accounts_path)))
    finally:
        store.close()


def _run(fn: Any) -> Any:
    """Run ``fn(store)``; domain errors become exit code 2 with their details."""
    store: AtlasStore = open_store(get_settings())
    try:
        return fn(store)
    except AtlasError as exc:
        typer.echo(f"错误：{exc.message}", err=True)
        for d in exc.details:
            typer.echo(f"  {d.get('field', '')}: {d.get('message', '')}", err=True)
        raise typer.Exit(2) from exc
    finally:
        store.close()


def _print(headers: list[Col] | list[str], rows: list[list[Any]], title: str) -> None:
    t = Table(title=title)
    for h in headers:
        t.add_column(h.header if isinstance(h, Col) else h)
    for r in rows:
        t.add_row(*["、".join(map(str, v)) if isinstance(v, list) else
                    str(getattr(v, "value", v)) if v is not None else "" for v in r])
    Console(width=200).print(t)


@pipeline_app.command("metrics")
def metrics_cmd(chain: ChainOpt = None, segment: SegmentOpt = None, county: CountyOpt = None,
                park: ParkOpt = None, team: TeamOpt = None, period_from: FromOpt = None,
                period_to: ToOpt = None, today: TodayOpt = None, as_json: JsonOpt = False,
                thresholds: Annotated[Path | None, typer.Option(
                    help="Warning thresholds TOML (default: the shipped pipeline.toml).")] = None,
                ) -> None:
    """Counts and investment per stage, 签约开工率/开工投产率/投产达效率, 三未 and warnings."""
    s = Slice(chain=chain, segment=segment, county=county, park=park, team=team,
              period_from=_day(period_from, "--from"), period_to=_day(period_to, "--to"))
    day = _day(today, "--today") or dt.date.today()
    th = load_thresholds(thresholds)
    settings = get_settings()
    items = reported_for(settings.seeds_dir, settings.sources())
    def go(st: AtlasStore) -> tuple[Atlas, MetricsWithReported]:
        a = st.snapshot()
        return a, with_reported(a, pipeline_metrics(a, s, today=day, thresholds=th), items)
    atlas, m = _run(go)
    if as_json:
        typer.echo(m.model_dump_json(indent=2))
        return
    typer.echo(m.ledger.text)
    for what, title in ((tables.Table.stages, "各阶段"), (tables.Table.rates, "三率（计算值）"),
                        (tables.Table.warnings, "预警")):
        headers, rows = tables.metric_table(atlas, m, what)
        _print(headers, rows, title)
    typer.echo(f"日期未知（不亮灯，请补填阶段日期）：{m.date_unknown_count} 个项目；"
               "`chain-atlas pipeline export undated -o F.xlsx` 导出清单")
    for c in m.reported:
        _print(["指标", "报告值", "计算值", "公式"], comparison_rows(c),
               f"{c.place} · {c.batch}（{c.period}）— {c.coverage.text}")


@pipeline_app.command("move")
def move_cmd(project: Annotated[str, typer.Argument(help="Project id.")],
             stage: Annotated[ProjectStage, typer.Argument(help="Target stage.")],
             by: Annotated[str, typer.Option(help="Who makes the change (recorded).")],
             reason: Annotated[str, typer.Option(help="Why (needed to move back or 终止).")] = "",
             at: Annotated[str | None, typer.Option(help="Date, YYYY-MM-DD (default today).")
                           ] = None) -> None:
    """Move a project along its lifecycle (one stage at a time; recorded in its history)."""
    p = _write(lambda svc: svc.move(cli_principal(by), "cli", project, stage, by=by,
                                    reason=reason, at=_day(at, "--at")))
    typer.echo(f"{p.id}: {p.history[-1].from_stage} → {p.stage.value} ({p.stage_date}, "
               f"rev {p.rev})")


@pipeline_app.command("import")
def import_cmd(file: Annotated[Path, typer.Argument(help="Ledger workbook (.xlsx).")],
               by: Annotated[str, typer.Option(help="Who imports (recorded).")]) -> None:
    """Import a project ledger (台账): all rows or none; bad rows listed by row and column."""
    data = file.read_bytes()  # a missing or unreadable file: the CLI's one error message
    rows = read_ledger(data, filename=file.name)
    res = _write(lambda svc: svc.import_ledger(cli_principal(by), "ledger", rows, by=by))
    typer.echo(f"新增 {len(res.created)} 个，更新 {len(res.updated)} 个项目")
    for m in res.review:
        state = "已关联" if m.linked else "未关联"
        typer.echo(f"  待核对 第 {m.row} 行 投资方「{m.investor}」≈ {m.company_name}"
                   f"（{m.company_id}，相似度 {m.score:g}，{state}）")
    if res.ignored_columns:
        typer.echo(f"  未识别、已忽略的列：{'、'.join(res.ignored_columns)}")


@pipeline_app.command("export")
def export_cmd(table: Annotated[tables.Table, typer.Argument(help="Which table.")],
               out: Annotated[Path, typer.Option("-o", "--out", help="Output .xlsx file.")],
               county: CountyOpt = None, chain: ChainOpt = None, today: TodayOpt = None,
               ) -> None:
    """Export a list or metric table as an Excel workbook (Chinese headers, names, formats)."""
    day = _day(today, "--today") or dt.date.today()
    s = Slice(chain=chain, county=county)
    headers, rows = _run(lambda st: tables.table(st.snapshot(), table, s, day))
    out.write_bytes(to_xlsx(tables.TITLES[table], headers, rows))
    typer.echo(f"{len(rows)} rows → {out}")


@pipeline_app.command("template")
def template_cmd(out: Annotated[Path, typer.Option("-o", "--out", help="Output .xlsx file.")]
                 ) -> None:
    """Write the ledger template (台账模板): columns, a sample row, drop-down lists."""
    out.write_bytes(_run(lambda st: tables.template(st.snapshot())))
    typer.echo(f"台账模板 → {out}")


@campaign_app.command("start")
def campaign_start(file: Annotated[Path, typer.Argument(
        help="Campaign as JSON or YAML (fields of the Campaign model).")]) -> None:
    """Start a campaign: validate it, take its baseline now and store it."""
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
        campaign = Campaign.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise typer.BadParameter(f"{file}: {exc}") from exc
    except ValidationError as exc:
        for e in exc.errors():
            typer.echo(f"{file}: {'.'.join(map(str, e['loc']))}: {e['msg']}", err=True)
        raise typer.Exit(2) from exc
    c = _write(lambda svc: svc.start_campaign(cli_principal(), "cli", campaign))
    done = c.baseline.completeness if c.baseline else None
    typer.echo(f"{c.id}: started; baseline completeness {done}")


@campaign_app.command("list")
def campaign_list(as_json: JsonOpt = False) -> None:
    """List campaigns with their team, chain and targets."""
    headers, rows = _run(lambda st: tables.table(st.snapshot(), tables.Table.campaigns,
                                                 Slice(), dt.date.today()))
    if as_json:
        typer.echo(json.dumps([dict(zip((h.header for h in headers), map(str, r), strict=True))
                               for r in rows],
                              ensure_ascii=False, indent=2))
        return
    _print(headers, rows, "招商行动")


@campaign_app.command("report")
def campaign_report(campaign: Annotated[str, typer.Argument(help="Campaign id.")],
                    as_json: JsonOpt = False) -> None:
    """Gaps closed and the change in chain completeness since the campaign began."""
    def go(st: AtlasStore) -> camp.CampaignReport:
        atlas = st.snapshot()
        if campaign not in atlas.campaigns:
            raise typer.BadParameter(f"no campaign {campaign!r}")
        return camp.report(atlas, atlas.campaigns[campaign])
    r = _run(go)
    closed = "、".join(r.gaps_closed) or "无"
    still = "、".join(r.gaps_open) or "无"
    typer.echo(r.model_dump_json(indent=2) if as_json else
               f"{r.name}（{r.team}）完整度 {r.completeness_then} → {r.completeness_now}；"
               f"已补环节：{closed}；待补：{still}")


def register(app: typer.Typer) -> None:
    app.add_typer(pipeline_app, name="pipeline")
    app.add_typer(campaign_app, name="campaign")

    @app.command("conflicts")
    def conflicts_cmd(as_json: JsonOpt = False) -> None:
        """Counties or parks chasing the same firm or building the same segment (错位招商)."""
        found = _run(lambda st: find_conflicts(st.snapshot()))
        if as_json:
            typer.echo(json.dumps([c.model_dump() for c in found], ensure_ascii=False, indent=2))
            return
        for c in found:
            typer.echo(c.message)
        typer.echo(f"{len(found)} conflict(s)")

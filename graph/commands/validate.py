"""CLI: ``validate`` — agreement of the gap diagnosis with the labelled segments
(``seeds/validation/segments.yaml``): overall, per chain, and every disagreement with both
sides' evidence. Thin shell over :func:`graph.analysis.validate.validate_segments`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graph.analysis.confidence import CONFIDENCE_ZH
from graph.analysis.rules import Rules
from graph.analysis.validate import (
    Disagreement,
    ValidationReport,
    read_labels,
    validate_segments,
)
from graph.commands.analysis import (
    JsonOpt,
    RulesOpt,
    SeedsOpt,
    _console,
    _emit_json,
    _run,
    _status,
    _table,
)
from graph.errors import SeedErrors
from graph.model import Atlas
from graph.settings import get_settings

SEGMENT_LABELS = Path("validation") / "segments.yaml"
EXPECTED_ZH = {"strong": "强", "weak": "弱", "missing": "缺失（含断链）"}

validate_app = typer.Typer(help="Measure the analysis against labelled sets "
                                "(no subcommand: the segment diagnosis).")


def _basis(item: Disagreement) -> str:
    src = item.label_basis
    if src.doc:
        return f"{src.doc}：“{src.quote}”"
    return f"公开资料（{src.as_of}）：{src.public or src.key}"


def print_report(r: ValidationReport) -> None:
    """The report as tables (Chinese)."""
    console = _console()
    t = _table(f"环节诊断验证 · 规则 {r.rules_version} · 一致率 {r.agreement:.1%}"
               f"（{r.agree}/{r.labels}）", ("产业链", "标注数", "一致", "一致率"), "产业链")
    for c in r.by_chain:
        t.add_row(f"{c.chain_name}\n[dim]{c.chain_id}[/]", str(c.labels), str(c.agree),
                  f"{c.agreement:.0%}")
    console.print(t)
    conf = "；".join(f"置信度{CONFIDENCE_ZH[k]} {a}/{n}" for k, (a, n) in r.by_confidence.items()
                    if n)
    console.print(f"按置信度的一致数：{conf}")
    if not r.disagreements:
        console.print("[green]全部一致。[/]")
        return
    d = _table(f"不一致清单（{len(r.disagreements)} 项）",
               ("环节", "标注", "计算", "标注依据", "诊断依据"), "诊断依据")
    for x in r.disagreements:
        why = "；".join(m.message for m in x.reasons)
        sure = "；".join(m.message for m in x.confidence_basis)
        said = "；".join(f"文件判断「{v.verdict}」" for v in x.assessments)
        d.add_row(f"{x.segment_name}\n[dim]{x.segment_id}\n{x.chain_id}[/]",
                  EXPECTED_ZH[x.expected], _status(x.computed, x.confidence),
                  _basis(x) + (f"\n[dim]{x.label_note}[/]" if x.label_note else ""),
                  why + (f"\n[dim]{sure}[/]" if sure else "") + (f"\n{said}" if said else ""))
    console.print(d)


@validate_app.callback(invoke_without_command=True)
def validate(
    ctx: typer.Context,
    labels: Annotated[Path | None, typer.Option(
        "--labels", help="Labelled segments (default: <seeds>/validation/segments.yaml).")
    ] = None,
    as_json: JsonOpt = False, seeds: SeedsOpt = None, rules_file: RulesOpt = None,
) -> None:
    """环节诊断一致率：计算状态与标注类别（强/弱/缺失，断链计为缺失）对比，按链统计并列出每处不一致。"""
    if ctx.invoked_subcommand is not None:
        return
    path = labels or (seeds or get_settings().seeds_dir) / SEGMENT_LABELS

    def compute(a: Atlas, r: Rules) -> ValidationReport:
        try:
            return validate_segments(a, read_labels(path, a), rules=r)
        except SeedErrors as exc:
            for p in exc.problems:
                typer.echo(str(p), err=True)
            typer.echo(f"标注文件有 {len(exc.problems)} 处问题，未验证。", err=True)
            raise typer.Exit(2) from exc

    report = _run(seeds, rules_file, compute)
    if as_json:
        _emit_json(report)
        return
    print_report(report)


def register(app: typer.Typer) -> None:
    """Add ``validate`` to the CLI."""
    app.add_typer(validate_app, name="validate")


"""``chain-atlas user …`` and ``chain-atlas audit …``: accounts, keys and the audit trail."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from graph.accounts import ROLE_ZH, Accounts, AuditRecord, Role, Scope
from graph.pipeline.xlsxout import Col, to_xlsx
from graph.settings import get_settings

user_app = typer.Typer(help="Users, roles and API keys (用户、角色与密钥).", no_args_is_help=True)
audit_app = typer.Typer(help="The append-only audit trail (操作留痕).", no_args_is_help=True)

TeamOpt = Annotated[list[str] | None, typer.Option(
    "--team", help="Scope: a team (专班) whose projects and campaigns the member may change.")]
ChainOpt = Annotated[list[str] | None, typer.Option(
    "--chain", help="Scope: a chain id whose projects and campaigns the member may change.")]
CountyOpt = Annotated[list[str] | None, typer.Option(
    "--county", help="Scope: a county id whose projects and campaigns the member may change.")]


def _accounts() -> Accounts:
    return Accounts(get_settings().accounts_path)


def _password(prompt: bool) -> str:
    if not prompt:
        return sys.stdin.readline().rstrip("\n")
    pw: str = typer.prompt("密码 Password", hide_input=True, confirmation_prompt=True)
    return pw


@user_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    display_name: Annotated[str, typer.Option("--display-name", help="姓名 (shown).")],
    role: Annotated[str, typer.Option(help="viewer, member or admin.")] = "viewer",
    team: TeamOpt = None, chain: ChainOpt = None, county: CountyOpt = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input (else prompt).")
    ] = False,
) -> None:
    """Create a user with a password."""
    if role not in ROLE_ZH:
        raise typer.BadParameter("viewer, member or admin", param_hint="--role")
    r: Role = role  # type: ignore[assignment]
    scope = Scope(teams=team or [], chains=chain or [], counties=county or [])
    u = _accounts().add_user(name, display_name, r, scope, _password(not password_stdin))
    typer.echo(f"已创建用户 {u.name}（{u.display_name}，{ROLE_ZH[u.role]}）")


@user_app.command("passwd")
def passwd(
    name: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the new password from standard input.")] = False,
) -> None:
    """Reset a user's password (their sessions end)."""
    _accounts().set_password(name, _password(not password_stdin))
    typer.echo(f"已重置 {name} 的密码")


@user_app.command("key")
def key(
    name: Annotated[str, typer.Argument(help="Login name.")],
    label: Annotated[str, typer.Option(help="What the key is for.")] = "",
) -> None:
    """Create an API key for a user; it is printed once and kept only as a hash."""
    typer.echo(_accounts().add_key(name, label))


@user_app.command("list")
def list_users(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
               ) -> None:
    """List users with role and scope."""
    users = _accounts().users()
    if as_json:
        typer.echo(json.dumps([u.model_dump() for u in users], ensure_ascii=False, indent=2))
        return
    t = Table(title=f"用户（共 {len(users)} 个）")
    for col in ("用户名", "姓名", "角色", "范围"):
        t.add_column(col)
    for u in users:
        scope = " ".join([*u.scope.teams, *u.scope.chains, *u.scope.counties])
        t.add_row(u.name, u.display_name, ROLE_ZH[u.role], scope)
    Console(width=160).print(t)


@audit_app.command("list")
def audit_list(
    actor: Annotated[str | None, typer.Option(help="Only this user.")] = None,
    target: Annotated[str | None, typer.Option(help="Only this entity id.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this entity kind.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the newest audit records."""
    rows, total = _accounts().audit(actor=actor, target=target, kind=kind, limit=limit)
    if as_json:
        typer.echo(json.dumps([r.model_dump() for r in rows], ensure_ascii=False, indent=2))
        return
    t = Table(title=f"操作记录（共 {total} 条）")
    for col in ("#", "时间", "操作人", "入口", "操作", "对象"):
        t.add_column(col)
    for r in rows:
        t.add_row(str(r.seq), r.at, r.actor_name, r.entry, r.action, f"{r.kind} {r.target}")
    Console(width=160).print(t)


@audit_app.command("export")
def audit_export(out: Annotated[Path, typer.Option("-o", "--out", help="Output .xlsx.")]
                 ) -> None:
    """Export the whole audit trail to Excel."""
    rows, _ = _accounts().audit(limit=1_000_000)
    out.write_bytes(audit_xlsx(rows))
    typer.echo(f"已导出 {len(rows)} 条 → {out}")


def audit_xlsx(rows: Sequence[AuditRecord]) -> bytes:
    """The audit records as a workbook (texts, never formulas)."""
    headers = ["序号", "时间（UTC）", "操作人", "账号", "入口", "操作", "类型", "对象",
               "修改前", "修改后"]
    body = [[r.seq, r.at, r.actor_name, r.actor, r.entry, r.action, r.kind, r.target,
             json.dumps(r.before, ensure_ascii=False) if r.before is not None else "",
             json.dumps(r.after, ensure_ascii=False) if r.after is not None else ""]
            for r in rows]
    return to_xlsx("操作记录", [Col(h) for h in headers], body)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.add_typer(audit_app, name="audit")

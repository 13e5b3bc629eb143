"""One place where the command line turns expected failures into messages and exit codes.

Every ``chain-atlas`` command runs inside :class:`AtlasGroup`: a domain error
(:class:`graph.errors.AtlasError`), an invalid value (pydantic ``ValidationError``) or an
unreadable file prints one Chinese line with the English code, then its details, and
exits 2 (bad input) or 1 (the store or the system failed) — never a traceback.

>>> format_error(NotFound("no chain 'ch.x'"))
["未找到（not_found）：no chain 'ch.x'"]
"""

from __future__ import annotations

from typing import Any

import typer
from pydantic import ValidationError
from typer.core import TyperGroup

from graph.errors import AtlasError, NotFound, SeedErrors

__all__ = ["AtlasGroup", "NotFound", "exit_code", "format_error"]


def _detail(d: dict[str, Any]) -> str:
    where = d.get("field") or d.get("file") or ""
    line = d.get("line")
    if line is not None:
        where = f"{d.get('file', '')}:{line}: {d.get('field', '')}"
    msg = d.get("message") or d.get("value") or ""
    return f"  {where}: {msg}" if where else f"  {msg}"


def format_error(exc: BaseException) -> list[str]:
    """The lines printed for ``exc``: a headline, then one line per detail."""
    if isinstance(exc, SeedErrors):
        return [*(str(p) for p in exc.problems),
                f"{exc.title}（{exc.code}）：{len(exc.problems)} 处问题，"
                "未载入任何数据 (nothing loaded)。"]
    if isinstance(exc, AtlasError):
        return [f"{exc.title}（{exc.code}）：{exc.message}", *(_detail(d) for d in exc.details)]
    if isinstance(exc, ValidationError):
        rows = [f"  {'.'.join(str(p) for p in e['loc']) or '<值>'}: {e['msg']}"
                for e in exc.errors(include_url=False)]
        return [f"输入有误（invalid_input）：{exc.error_count()} 处", *rows]
    if isinstance(exc, FileNotFoundError):
        return [f"文件不存在（file_not_found）：{exc.filename}"]
    if isinstance(exc, IsADirectoryError):
        return [f"应为文件而不是目录（is_a_directory）：{exc.filename}"]
    if isinstance(exc, PermissionError):
        return [f"没有读写权限（permission_denied）：{exc.filename}"]
    return [f"出错（{exc.__class__.__name__}）：{exc}"]


def exit_code(exc: BaseException) -> int:
    """2 for bad input (4xx-like domain errors, validation, files), 1 otherwise."""
    if isinstance(exc, AtlasError):
        return 2 if exc.status < 500 else 1
    return 2


EXPECTED: tuple[type[BaseException], ...] = (
    AtlasError, ValidationError, FileNotFoundError, IsADirectoryError, PermissionError)


class AtlasGroup(TyperGroup):
    """The root command group: runs a command and reports expected failures."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EXPECTED as exc:
            for line in format_error(exc):
                typer.echo(line, err=True)
            raise typer.Exit(exit_code(exc)) from exc

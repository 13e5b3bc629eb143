"""Domain exceptions. Every error raised by graph/ derives from :class:`AtlasError`.

The API maps these to HTTP in one handler (``api/errors.py``); the CLI maps
them to exit codes. ``code`` is a stable machine-readable string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One validation problem, located as precisely as the input allows."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.field}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


class AtlasError(Exception):
    """Base class of all Chain Atlas domain errors."""

    code: str = "atlas_error"
    status: int = 500
    title: str = "出错"
    """What kind of failure this is, in Chinese, for officers (shown before the code)."""

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: list[dict[str, Any]] = details or []

    def __reduce__(self) -> tuple[Any, ...]:
        # keep message and details across processes (the ledger parser runs in a worker)
        return _restore, (type(self), self.message, self.details)


def _restore(cls: type[AtlasError], message: str, details: list[dict[str, Any]]) -> AtlasError:
    err = cls.__new__(cls)
    AtlasError.__init__(err, message, details=details)
    return err


class NotFound(AtlasError):
    """A referenced entity or relation does not exist."""

    code = "not_found"
    status = 404
    title = "未找到"


class Conflict(AtlasError):
    """The write would violate uniqueness or leave dangling references."""

    code = "conflict"
    status = 409
    title = "冲突"


class InvalidInput(AtlasError):
    """Input failed validation; ``details`` lists field paths."""

    code = "invalid_input"
    status = 422
    title = "输入有误"


class StoreUnavailable(AtlasError):
    """The configured store cannot be reached or opened (e.g. Neo4j is down)."""

    code = "store_unavailable"
    status = 503
    title = "存储不可用"


class TooLarge(AtlasError):
    """Input over a configured size limit (rows, columns, cells, uncompressed bytes)."""

    code = "too_large"
    status = 413


@dataclass
class SeedErrors(AtlasError):
    """A seed load failed; nothing was loaded. ``problems`` lists every problem."""

    problems: list[Problem] = field(default_factory=list)
    code = "seed_invalid"
    status = 422
    title = "种子数据有误"

    def __post_init__(self) -> None:
        AtlasError.__init__(
            self,
            f"{len(self.problems)} problem(s) in seed files",
            details=[p.as_dict() for p in self.problems],
        )

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

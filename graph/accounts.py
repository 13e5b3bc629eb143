"""Users, roles, API keys, sessions and the append-only audit trail.

Kept in their own SQLite file (``ATLAS_DATA_DIR/accounts.sqlite``) beside whichever store
holds the atlas, so an embedded or a Neo4j deployment has the same accounts.

- **Roles**: ``viewer`` (reads), ``member`` (changes projects and campaigns in its scope:
  teams, chains or counties; see :mod:`graph.permissions`), ``admin`` (everything).
- **Passwords** are hashed with Argon2id (``argon2-cffi``); **API keys** belong to a user,
  are shown once and kept as SHA-256 hashes; a key may narrow its user's scope.
- **Sessions** (for the pages): a random token in a cookie, kept hashed, with its own CSRF
  token and an expiry.
- **Audit**: every write appends who, when, what (before and after) and through which
  entry point (``api``, ``cli``, ``ledger``); SQLite triggers refuse UPDATE and DELETE on
  the table, so the trail is append-only.

>>> import tempfile, pathlib
>>> acc = Accounts(pathlib.Path(tempfile.mkdtemp()) / "accounts.sqlite")
>>> u = acc.add_user("zhang", "张三", "member", Scope(teams=["尼龙专班"]), "a-long-password")
>>> acc.login("zhang", "a-long-password").name
'zhang'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, Field

from graph.errors import AtlasError, Conflict, InvalidInput, NotFound

Role = Literal["viewer", "member", "admin"]
Entry = Literal["api", "cli", "ledger", "page"]
ROLE_ZH: dict[str, str] = {"viewer": "只读", "member": "专班成员", "admin": "管理员"}
SESSION_HOURS = 12
MIN_PASSWORD = 10


class Unauthorized(AtlasError):
    """No valid credentials (missing, wrong or expired)."""

    code = "unauthorized"
    status = 401
    title = "未登录或凭据无效"


class Forbidden(AtlasError):
    """Valid credentials, but this user may not do this."""

    code = "forbidden"
    status = 403
    title = "无权限"


class Scope(BaseModel):
    """What a member may change: projects and campaigns of these teams, chains or counties
    (any one match is enough; an empty scope allows nothing)."""

    teams: list[str] = Field(default_factory=list)
    chains: list[str] = Field(default_factory=list)
    counties: list[str] = Field(default_factory=list)

    def empty(self) -> bool:
        return not (self.teams or self.chains or self.counties)


class User(BaseModel):
    """An account (no secret in it)."""

    name: str = Field(description="Login name.", examples=["zhangsan"])
    display_name: str = Field(examples=["张三"])
    role: Role
    scope: Scope = Field(default_factory=Scope)
    disabled: bool = False


class Principal(BaseModel):
    """Who is making a request: a user through a key, a session or the CLI, the legacy
    shared key (``ATLAS_API_KEYS``, acting as admin), or nobody (open reads)."""

    name: str
    display_name: str
    role: Role
    scope: Scope = Field(default_factory=Scope)
    via: Literal["key", "session", "cli", "legacy_key", "anonymous"]
    csrf: str | None = None


ANONYMOUS = Principal(name="anonymous", display_name="访客", role="viewer", via="anonymous")


def cli_principal(by: str | None = None) -> Principal:
    """Who writes from the command line: the operating-system user (who can open the data
    directory, so acts as admin), shown as ``by`` when given (e.g. ``--by 张三``)."""
    import getpass

    login = getpass.getuser()
    return Principal(name=f"cli:{login}", display_name=by or login, role="admin", via="cli")


class AuditRecord(BaseModel):
    """One write, as recorded."""

    seq: int
    at: str = Field(description="UTC timestamp, ISO 8601.")
    actor: str
    actor_name: str
    entry: str = Field(description="api, cli, ledger or page.")
    action: str = Field(description="create, update, delete, relate, unrelate, stage, import …")
    kind: str
    target: str
    before: Any = None
    after: Any = None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS users(
  name TEXT PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL,
  scope TEXT NOT NULL, pw_hash TEXT, disabled INTEGER NOT NULL DEFAULT 0,
  created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys(
  key_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES users(name),
  label TEXT NOT NULL, scope TEXT, created TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sessions(
  token_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES users(name),
  csrf TEXT NOT NULL, expires TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
  actor_name TEXT NOT NULL, entry TEXT NOT NULL, action TEXT NOT NULL, kind TEXT NOT NULL,
  target TEXT NOT NULL, before TEXT, after TEXT);
CREATE INDEX IF NOT EXISTS audit_target ON audit(target);
CREATE INDEX IF NOT EXISTS audit_actor ON audit(actor);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
"""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Accounts:
    """Users, keys, sessions and audit in one SQLite file (WAL, durable writes; safe across
    processes: every write is one ``BEGIN IMMEDIATE`` transaction)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._hasher = PasswordHasher()
        self._local = threading.local()
        self._db().executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                 check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
        return db

    @contextmanager
    def _txn(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # --- users ---------------------------------------------------------------------

    def has_users(self) -> bool:
        return self._db().execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def add_user(self, name: str, display_name: str, role: Role, scope: Scope | None = None,
                 password: str | None = None) -> User:
        """A new account; Conflict if the name is taken."""
        if not name.strip() or not display_name.strip():
            raise InvalidInput("用户名和姓名不能为空 (name and display name are required)",
                               details=[{"field": "name"}])
        pw = self._hash(password) if password is not None else None
        try:
            with self._txn() as db:
                db.execute("INSERT INTO users(name, display_name, role, scope, pw_hash, created)"
                           " VALUES (?,?,?,?,?,?)",
                           (name, display_name, role, (scope or Scope()).model_dump_json(), pw,
                            _now().isoformat()))
        except sqlite3.IntegrityError as exc:
            raise Conflict(f"用户 {name!r} 已存在 (user exists)",
                           details=[{"field": "name"}]) from exc
        return self.user(name)

    def user(self, name: str) -> User:
        row = self._db().execute(
            "SELECT name, display_name, role, scope, disabled FROM users WHERE name=?",
            (name,)).fetchone()
        if row is None:
            raise NotFound(f"没有用户 {name!r} (no such user)", details=[{"field": "name"}])
        return User(name=row[0], display_name=row[1], role=row[2],
                    scope=Scope.model_validate_json(row[3]), disabled=bool(row[4]))

    def users(self) -> list[User]:
        names = [r[0] for r in self._db().execute("SELECT name FROM users ORDER BY name")]
        return [self.user(n) for n in names]

    def _hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD:
            raise InvalidInput(f"密码至少 {MIN_PASSWORD} 位 (password too short)",
                               details=[{"field": "password"}])
        return str(self._hasher.hash(password))

    def set_password(self, name: str, password: str) -> None:
        """Reset a password; every session of the user ends."""
        self.user(name)
        pw = self._hash(password)
        with self._txn() as db:
            db.execute("UPDATE users SET pw_hash=? WHERE name=?", (pw, name))
            db.execute("DELETE FROM sessions WHERE user_name=?", (name,))

    def login(self, name: str, password: str) -> User:
        """The user if the password is right (constant-time hash check); Unauthorized else."""
        row = self._db().execute("SELECT pw_hash, disabled FROM users WHERE name=?",
                                 (name,)).fetchone()
        bad = Unauthorized("用户名或密码错误 (wrong name or password)",
                           details=[{"field": "password"}])
        if row is None or row[0] is None or row[1]:
            raise bad
        try:
            self._hasher.verify(row[0], password)
        except (VerificationError, InvalidHashError):
            raise bad from None
        return self.user(name)

    # --- keys and sessions -------------------------------------------------------------

    def add_key(self, name: str, label: str = "", scope: Scope | None = None) -> str:
        """A new API key for user ``name``: returned once, stored only as a hash."""
        self.user(name)
        key = "ak_" + secrets.token_urlsafe(32)
        with self._txn() as db:
            db.execute("INSERT INTO api_keys(key_hash, user_name, label, scope, created)"
                       " VALUES (?,?,?,?,?)",
                       (_sha(key), name, label, scope.model_dump_json() if scope else None,
                        _now().isoformat()))
        return key

    def key_principal(self, key: str) -> Principal | None:
        row = self._db().execute(
            "SELECT user_name, scope FROM api_keys WHERE key_hash=? AND revoked=0",
            (_sha(key),)).fetchone()
        if row is None:
            return None
        user = self.user(row[0])
        if user.disabled:
            return None
        scope = Scope.model_validate_json(row[1]) if row[1] else user.scope
        return Principal(name=user.name, display_name=user.display_name, role=user.role,
                         scope=scope, via="key")

    def start_session(self, name: str) -> tuple[str, str]:
        """(session token, CSRF token) for a logged-in user."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        expires = (_now() + dt.timedelta(hours=SESSION_HOURS)).isoformat()
        with self._txn() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (_now().isoformat(),))
            db.execute("INSERT INTO sessions(token_hash, user_name, csrf, expires)"
                       " VALUES (?,?,?,?)", (_sha(token), name, csrf, expires))
        return token, csrf

    def session_principal(self, token: str) -> Principal | None:
        row = self._db().execute(
            "SELECT user_name, csrf, expires FROM sessions WHERE token_hash=?",
            (_sha(token),)).fetchone()
        if row is None or row[2] < _now().isoformat():
            return None
        user = self.user(row[0])
        if user.disabled:
            return None
        return Principal(name=user.name, display_name=user.display_name, role=user.role,
                         scope=user.scope, via="session", csrf=row[1])

    def end_session(self, token: str) -> None:
        with self._txn() as db:
            db.execute("DELETE FROM sessions WHERE token_hash=?", (_sha(token),))

    # --- audit ------------------------------------------------------------------------

    def record(self, who: Principal, entry: Entry, action: str, kind: str, target: str,
               before: Any = None, after: Any = None) -> int:
        """Append one audit record; its sequence number."""
        with self._txn() as db:
            cur = db.execute(
                "INSERT INTO audit(at, actor, actor_name, entry, action, kind, target, before,"
                " after) VALUES (?,?,?,?,?,?,?,?,?)",
                (_now().isoformat(timespec="milliseconds"), who.name, who.display_name, entry,
                 action, kind, target,
                 None if before is None else json.dumps(before, ensure_ascii=False),
                 None if after is None else json.dumps(after, ensure_ascii=False)))
            return int(cur.lastrowid or 0)

    def audit(self, *, actor: str | None = None, target: str | None = None,
              kind: str | None = None, entry: str | None = None, since: str | None = None,
              offset: int = 0, limit: int = 100) -> tuple[list[AuditRecord], int]:
        """Records matching every given filter, newest first, and their total count."""
        where, args = [], []
        for col, val in (("actor", actor), ("target", target), ("kind", kind),
                         ("entry", entry)):
            if val:
                where.append(f"{col}=?")
                args.append(val)
        if since:
            where.append("at >= ?")
            args.append(since)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        db = self._db()
        total = int(db.execute(f"SELECT count(*) FROM audit{clause}", args).fetchone()[0])
        rows = db.execute(
            "SELECT seq, at, actor, actor_name, entry, action, kind, target, before, after"
            f" FROM audit{clause} ORDER BY seq DESC LIMIT ? OFFSET ?", [*args, limit, offset])
        out = [AuditRecord(seq=r[0], at=r[1], actor=r[2], actor_name=r[3], entry=r[4],
                           action=r[5], kind=r[6], target=r[7],
                           before=None if r[8] is None else json.loads(r[8]),
                           after=None if r[9] is None else json.loads(r[9])) for r in rows]
        return out, total

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

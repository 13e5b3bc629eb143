"""Login, logout, who am I, and the audit trail (API, page and Excel export).

Pages log in with a form: the session token goes in an HttpOnly, SameSite=Strict cookie;
the CSRF token is returned in a readable cookie and must come back in ``X-CSRF-Token`` on
every cookie-authenticated write. Login attempts are rate-limited per client and name.
"""

from __future__ import annotations

import html
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from api.deps import SESSION_COOKIE, Admin, Limit, Offset, PrincipalDep, ServiceDep
from api.errors import ADMIN_ERRORS
from api.schemas import Page
from graph.accounts import ROLE_ZH, AuditRecord, Principal, Unauthorized
from graph.commands.accounts import audit_xlsx
from graph.errors import AtlasError, InvalidInput

router = APIRouter(tags=["accounts"])
page_router = APIRouter(include_in_schema=False)
public_router = APIRouter(include_in_schema=False)
"""Login and logout: reachable when reads are closed."""

CSRF_COOKIE = "atlas_csrf"
LOGIN_LIMIT = RateLimitItemPerMinute(5)


def _limiter(request: Request) -> MovingWindowRateLimiter:
    """The app's login limiter (one per app, in memory: per process)."""
    lim: MovingWindowRateLimiter | None = getattr(request.app.state, "login_limiter", None)
    if lim is None:
        lim = MovingWindowRateLimiter(MemoryStorage())
        request.app.state.login_limiter = lim
    return lim


class TooManyAttempts(AtlasError):
    code = "too_many_requests"
    status = 429
    title = "尝试过于频繁"


_CSS = ("body{font-family:'Noto Sans CJK SC',sans-serif;margin:0;background:#f5f6f8}"
        ".auth{max-width:960px;margin:2rem auto;padding:1rem;background:#fff}"
        "form{display:grid;gap:.8rem;max-width:22rem}label{display:grid;gap:.3rem}"
        "input,button{font-size:1rem;padding:.5rem}.error{color:#b00020}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.3rem}")


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style></head>"
        f"<body><main class=\"auth\"><h1>{html.escape(title)}</h1>{body}</main></body></html>")


def _safe_next(target: str) -> str:
    """Only same-site paths (no scheme, no //host) are followed after login."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@public_router.get("/login")
def login_form(next: Annotated[str, Query(description="Where to go after.")] = "/",
               error: str = "") -> HTMLResponse:
    """The login page."""
    note = f"<p class=\"error\" role=\"alert\">{html.escape(error)}</p>" if error else ""
    return _page("登录 产业链招商图谱", note + (
        "<form method=\"post\" action=\"/login\">"
        f"<input type=\"hidden\" name=\"next\" value=\"{html.escape(_safe_next(next))}\">"
        "<label>用户名 <input name=\"name\" autocomplete=\"username\" required></label>"
        "<label>密码 <input name=\"password\" type=\"password\" "
        "autocomplete=\"current-password\" required></label>"
        "<button type=\"submit\">登录</button></form>"))


@public_router.post("/login")
async def login(request: Request, service: ServiceDep) -> Response:
    """Check name and password; set the session cookie and go on."""
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace"),
                                          keep_blank_values=True).items()}
    name, password = form.get("name", ""), form.get("password", "")
    nxt = _safe_next(form.get("next", "/"))
    client = request.client.host if request.client else "?"
    if not _limiter(request).hit(LOGIN_LIMIT, client, name):
        raise TooManyAttempts("登录尝试过于频繁，请一分钟后再试 (too many login attempts)",
                              details=[{"field": "name"}])
    if service.accounts is None or not service.accounts.has_users():
        raise InvalidInput("尚未创建用户 (no users configured; see chain-atlas user add)",
                           details=[{"field": "name"}])
    try:
        user = service.accounts.login(name, password)
    except Unauthorized:
        return RedirectResponse(f"/login?next={nxt}&error=用户名或密码错误", status_code=303)
    token, csrf = service.accounts.start_session(user.name)
    resp = RedirectResponse(nxt, status_code=303)
    secure = request.url.scheme == "https"
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=secure,
                    path="/")
    resp.set_cookie(CSRF_COOKIE, csrf, httponly=False, samesite="strict", secure=secure,
                    path="/")
    return resp


@public_router.post("/logout")
def logout(request: Request, service: ServiceDep) -> Response:
    """End the session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token and service.accounts is not None:
        service.accounts.end_session(token)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    resp.delete_cookie(CSRF_COOKIE, path="/")
    return resp


@router.get("/me", response_model=Principal, summary="Who the request is made as")
def me(who: PrincipalDep) -> Principal:
    """The caller: user name, role, scope and how they authenticated (no secret)."""
    return who.model_copy(update={"csrf": None})


@router.get("/audit", response_model=Page[AuditRecord], responses=ADMIN_ERRORS,
            summary="The audit trail (admins)")
def audit(service: ServiceDep, _: Admin, actor: str | None = None, target: str | None = None,
          kind: str | None = None, entry: str | None = None, offset: Offset = 0,
          limit: Limit = 100) -> Page[AuditRecord]:
    """Every write, newest first: who, when, what (before/after) and the entry point."""
    if service.accounts is None:
        return Page[AuditRecord](data=[], count=0)
    rows, total = service.accounts.audit(actor=actor, target=target, kind=kind, entry=entry,
                                         offset=offset, limit=limit)
    return Page[AuditRecord](data=rows, count=total)


@router.get("/audit.xlsx", summary="The audit trail as Excel (admins)",
            response_class=Response, responses=ADMIN_ERRORS)
def audit_export(service: ServiceDep, _: Admin) -> Response:
    rows = service.accounts.audit(limit=1_000_000)[0] if service.accounts else []
    return Response(audit_xlsx(rows), media_type="application/vnd.openxmlformats-officedocument"
                    ".spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=audit.xlsx"})


@page_router.get("/audit")
def audit_page(service: ServiceDep, who: Admin) -> HTMLResponse:
    """The newest 200 writes as a table, with an Excel link."""
    rows = service.accounts.audit(limit=200)[0] if service.accounts else []
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (
            r.seq, r.at, r.actor_name, r.entry, r.action, r.kind, r.target)) + "</tr>"
        for r in rows)
    return _page("操作记录", (
        f"<p>当前用户：{html.escape(who.display_name)}（{ROLE_ZH[who.role]}）"
        " · <a href=\"/api/v1/audit.xlsx\">导出 Excel</a></p>"
        "<table><thead><tr><th>序号</th><th>时间（UTC）</th><th>操作人</th><th>入口</th>"
        f"<th>操作</th><th>类型</th><th>对象</th></tr></thead><tbody>{cells}</tbody></table>"))

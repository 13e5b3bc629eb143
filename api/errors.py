"""One error shape for every error, mapped in one place.

Every error response body is ``{"error": {"status", "code", "message", "details"}}``
where ``details`` is a list of objects with at least a ``field`` path when one applies.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import AtlasError

MESSAGES_ZH: dict[str, str] = {
    "bad_request": "请求无法处理", "unauthorized": "缺少或无效的 API 密钥（请求头 X-API-Key）",
    "forbidden": "无权执行此操作", "not_found": "未找到所请求的对象",
    "method_not_allowed": "不支持该请求方法", "not_acceptable": "无法提供所请求的格式",
    "conflict": "与现有数据冲突（编号重复、关系重复或仍被引用）",
    "payload_too_large": "请求内容过大", "unsupported_media_type": "不支持的内容类型",
    "invalid_input": "输入有误，请按 details 中列出的字段修改",
    "too_many_requests": "请求过于频繁，请稍后再试",
    "export_unavailable": "导出服务暂不可用（未安装浏览器）",
    "request_timeout": "请求体未在规定时间内送达", "store_unavailable": "存储暂不可用",
    "internal_error": "服务器内部错误", "http_error": "请求出错",
}
"""The one mapping of error codes to Chinese messages for officers (``message_zh``)."""


def message_zh(code: str) -> str:
    """The Chinese message of an error code (a general one for codes not listed).

    >>> message_zh("not_found")
    '未找到所请求的对象'
    """
    return MESSAGES_ZH.get(code, "请求出错")


class ErrorBody(BaseModel):
    status: int = Field(description="The HTTP status.", examples=[422])
    code: str = Field(description="Stable machine-readable code.", examples=["invalid_input"])
    message: str = Field(description="What went wrong, in English (for systems and logs).",
                         examples=["request validation failed"])
    message_zh: str = Field(default="", description="What went wrong, in Chinese (for people).",
                            examples=["输入有误，请按 details 中列出的字段修改"])
    details: list[dict[str, Any]] = Field(
        default_factory=list, description="One object per problem, with a `field` path "
        "(`body.src.quote`, `query.county`) where one applies.",
        examples=[[{"field": "query.county", "message": "unknown county"}]])


class ErrorResponse(BaseModel):
    """The error shape."""

    error: ErrorBody


EXAMPLES: dict[int, tuple[str, str, list[dict[str, Any]]]] = {
    401: ("unauthorized", "missing X-API-Key header", [{"field": "X-API-Key"}]),
    403: ("forbidden", "专班成员乙 无权修改 proj.x (not allowed for role member)",
          [{"field": "project", "value": "proj.x"}]),
    404: ("not_found", "no company '600000.SH'", [{"field": "id", "value": "600000.SH"}]),
    408: ("request_timeout", "请求体超过 15 秒未送达 (request body timed out)", []),
    409: ("conflict", "company 'co.example-firm' exists",
          [{"field": "body.id", "value": "co.example-firm"}]),
    413: ("payload_too_large", "request body over 1048576 bytes", []),
    422: ("invalid_input", "request validation failed",
          [{"field": "query.county", "message": "unknown county", "value": "county.x"}]),
}


def error_example(status: int) -> dict[str, Any]:
    """The example body of an error status (what the API really answers)."""
    code, message, details = EXAMPLES[status]
    return ErrorResponse(error=ErrorBody(status=status, code=code, message=message,
                                         message_zh=message_zh(code),
                                         details=details)).model_dump()


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, all in the one error shape, each
    with its own example body."""
    text = {401: "Missing or invalid X-API-Key (or no login).",
            403: "Logged in, but the role or scope does not allow it.",
            404: "No such entity or relation.",
            408: "The request body did not arrive in time.",
            409: "Id exists, duplicate relation, or the entity is still referenced.",
            413: "Request body over the configured limit.",
            422: "Invalid input; `details` lists field paths."}
    return {s: {"model": ErrorResponse, "description": text[s],
                "content": {"application/json": {"example": error_example(s)}}}
            for s in statuses}


READ_ERRORS = documented(401, 404, 422)
ADMIN_ERRORS = documented(401, 403, 422)
"""Error responses of admin-only routes (the audit trail)."""
"""Error responses every read route documents (401 only when reads are closed)."""
WRITE_ERRORS = documented(401, 403, 404, 409, 413, 422)
"""Error responses every write route documents."""


def error_response(status: int, code: str, message: str,
                   details: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(status=status, code=code, message=message,
                                         message_zh=message_zh(code), details=details or []))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
              413: "payload_too_large", 415: "unsupported_media_type",
              422: "invalid_input", 429: "too_many_requests"}


def _field_details(errors: list[Any]) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        out.append({"field": ".".join(loc), "message": e.get("msg", ""), "type": e.get("type", "")})
    return out


def _wants_page(request: Request) -> bool:
    """A person's browser opening a page (not an API call): sent to the login page."""
    return (request.method == "GET" and not request.url.path.startswith("/api/")
            and "text/html" in request.headers.get("accept", ""))


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the same shape."""

    @app.exception_handler(AtlasError)
    async def _atlas(request: Request, exc: AtlasError) -> Response:
        if exc.status == 401 and _wants_page(request):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_input", "request validation failed",
                              _field_details(list(exc.errors())))

    @app.exception_handler(ValidationError)
    async def _model_validation(_: Request, exc: ValidationError) -> JSONResponse:
        return error_response(422, "invalid_input", "validation failed",
                              _field_details(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # an unparsable body (e.g. not UTF-8): bad input, 422
            return error_response(422, "invalid_input", "request body could not be parsed",
                                  [{"field": "body", "message": str(exc.detail)}])
        code = HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail),
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception) -> JSONResponse:  # pragma: no cover
        return error_response(500, "internal_error", "internal server error")

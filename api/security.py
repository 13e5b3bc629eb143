"""HTTP hardening in one place: security headers with a Content-Security-Policy on every
HTML page (replacing any policy a route set, so every page has the same rule), redaction
of credentials in the access log, and a request-body read timeout.

CSP rule: scripts only from this origin plus the exact inline scripts of the page (their
SHA-256 hashes are added per response); JSON data blocks (``type="application/json"``)
are not scripts and need nothing; styles from this origin and inline; no frames, no
plugins, forms post only to this origin.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SCRIPT = re.compile(rb"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_SECRET_PARAM = re.compile(
    r"(?i)([?&](?:api[_-]?key|x-api-key|key|token|password|passwd|session|csrf)=)[^&\s\"]*")


def csp_for(html_body: bytes) -> str:
    """The Content-Security-Policy for one HTML page (hashes of its inline scripts).

    >>> "sha256-" in csp_for(b"<script>go()</script>")
    True
    """
    hashes = []
    for m in _SCRIPT.finditer(html_body):
        attrs = m.group("attrs").lower()
        if b"src=" in attrs or b"application/json" in attrs or not m.group("body").strip():
            continue
        digest = base64.b64encode(hashlib.sha256(m.group("body")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    scripts = " ".join(["'self'", *sorted(set(hashes))])
    return ("default-src 'self'; "
            f"script-src {scripts}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


_ALWAYS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
           (b"x-frame-options", b"DENY"))


class SecurityHeaders:
    """Adds nosniff, referrer and frame headers to every response and a CSP to HTML."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])]
                have = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _ALWAYS if k not in have]
                message = {**message, "headers": headers}
                ctype = dict(headers).get(b"content-type", b"")
                if ctype.startswith(b"text/html"):
                    start = message
                    return
                await send(message)
                return
            if start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                headers = [(k, v) for k, v in start["headers"]
                           if k.lower() not in (b"content-length", b"content-security-policy")]
                headers += [(b"content-security-policy", csp_for(body).encode()),
                            (b"content-length", str(len(body)).encode())]
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, wrapped)


def redact(text: str) -> str:
    """``text`` with the values of credential-like query parameters replaced by ``***``.

    >>> redact("GET /api/v1/chains?api_key=s3cret&x=1")
    'GET /api/v1/chains?api_key=***&x=1'
    """
    return _SECRET_PARAM.sub(r"\1***", text)


class RedactCredentials(logging.Filter):
    """A logging filter for ``uvicorn.access``: no key, token or password in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        record.msg = redact(str(record.msg))
        return True


def install_log_redaction() -> None:
    """Attach :class:`RedactCredentials` to uvicorn's access and error loggers (once)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactCredentials) for f in logger.filters):
            logger.addFilter(RedactCredentials())


async def receive_with_timeout(receive: Receive, seconds: float) -> Message:
    """One ``receive()`` that gives up after ``seconds`` (a client that stops sending its
    body must not hold a worker): raises :class:`TimeoutError`."""
    result: Any = await asyncio.wait_for(receive(), timeout=seconds)
    return result  # type: ignore[no-any-return]

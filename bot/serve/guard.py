"""Guards at the HTTP edge of the whole app (API, Gradio pages, static files).

Each guard is a plain ASGI middleware that refuses cheaply, before any work: a body over
`max_body_kb` (413), a client over its rate limit (429), a method a known path does not take
(405); and every response, refusals included, carries the standard security headers.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from fastapi import FastAPI
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.datafiles import say
from yinling.settings import Settings

API_PATHS = frozenset({"/api/ask", "/api/search"})  # the endpoints that do work; health stays reachable
LOGIN_PATH = "/staff/login"
# Every server-side event of the public Gradio app (a chat question, 👍, clear, a desk search)
# joins its queue here; the staff app, mounted at /staff, is behind its sign-in.
CHAT_PATH = "/gradio_api/queue/join"
# Gradio's file upload route is bounded by Gradio's own max_file_size, not by max_body_kb.
UPLOAD_SUFFIX = "/gradio_api/upload"
DOCS_PATH = "/api/docs"

# What Gradio 6 needs, as tried in headless Chromium: inline scripts (its page config) and styles,
# and 'unsafe-eval' (without it the page never gets past "Loading..."; the `js=` handlers of
# 大字, 高对比度 and 朗读回答 are run the same way). Everything else comes from this origin.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' blob: data:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /api/docs page loads Swagger UI from a CDN.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
UNITS = ("second", "minute", "hour", "day")  # the rate limit's units the wording names


def install_guards(app: FastAPI, settings: Settings) -> None:
    """Add every guard to `app`; call it before the app starts serving.

    Starlette runs the middleware added last first, so the security headers wrap the refusals too.
    """
    app.add_middleware(MethodGuard, routes=app.routes)
    app.add_middleware(RateGuard, rules=rate_rules(settings))
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_kb * 1024)
    app.add_middleware(SecurityHeaders)


def json_response(status: int, detail: str, headers: dict[str, str] | None = None) -> Callable[[Send], Awaitable[None]]:
    """A minimal ASGI JSON response `{"detail": …}`, sent without reading the request body."""
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]

    async def respond(send: Send) -> None:
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    return respond


class SecurityHeaders:
    """Adds the CSP and the other standard security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_CSP if scope["path"] == DOCS_PATH else CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                for name, value in {"Content-Security-Policy": policy, **SECURITY_HEADERS}.items():
                    headers[name] = value
                message["headers"] = headers.raw
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLargeError(Exception):
    """Raised inside the app's `receive` once the body passed the limit, to stop reading it."""


class BodyLimit:
    """Refuses a request body over `max_bytes` with 413: by its Content-Length before the app
    runs, or, when streamed without one, as soon as the bytes received pass the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.refusal = json_response(413, say("api_too_large", kb=str(max_bytes // 1024)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/").endswith(UPLOAD_SUFFIX):
            await self.app(scope, receive, send)
        elif declared_length(scope) > self.max_bytes:
            await self.refusal(send)
        else:
            await self.counting(scope, receive, send)

    async def counting(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        refused = started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                refused = True
                raise BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:  # whatever the app makes of the cut-off body, the client gets the 413
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except Exception:
            if not refused:
                raise
        if refused and not started:
            await self.refusal(send)


def declared_length(scope: Scope) -> int:
    """The request's Content-Length, or 0 when it has none (or one the server will reject)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


@dataclass(frozen=True)
class RateRule:
    """A budget of requests per client address, shared by the paths it names."""

    name: str
    paths: frozenset[str]
    methods: frozenset[str]  # empty: every method
    rate: str  # `60/minute`; "" turns the rule off
    message: str  # its wording's key; {rate} and {seconds} are filled in

    @cached_property
    def limit(self) -> RateLimitItem:
        return parse(self.rate)

    def applies(self, scope: Scope) -> bool:
        path = scope["path"].rstrip("/") or "/"
        return path in self.paths and (not self.methods or scope["method"] in self.methods)


def rate_rules(settings: Settings) -> list[RateRule]:
    """The API's, the web chat's and the staff sign-in's budgets; a setting of "" turns its rule off."""
    api = RateRule("api", API_PATHS, frozenset(), settings.api_rate_limit, "api_too_many")
    chat = RateRule("chat", frozenset({CHAT_PATH}), frozenset({"POST"}), settings.chat_rate_limit, "api_too_many")
    login = RateRule(
        "login", frozenset({LOGIN_PATH}), frozenset({"POST"}), settings.login_rate_limit, "api_too_many_logins"
    )
    return [rule for rule in (api, chat, login) if rule.rate]


def describe(limit: RateLimitItem) -> str:
    """`5/minute` as 每分钟最多 5 次."""
    unit = limit.GRANULARITY.name
    return say("api_rate", unit=say(f"api_unit_{unit}") if unit in UNITS else unit, amount=str(limit.amount))


class RateGuard:
    """Answers 429 with Retry-After to a client address over a rule's budget (moving window, in memory)."""

    def __init__(self, app: ASGIApp, rules: Iterable[RateRule]) -> None:
        self.app = app
        self.rules = list(rules)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rules = self.rules if scope["type"] == "http" else []
        rule = next((rule for rule in rules if rule.applies(scope)), None)
        if rule is None:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        if self.limiter.hit(rule.limit, rule.name, client):
            await self.app(scope, receive, send)
            return
        reset_at, _ = self.limiter.get_window_stats(rule.limit, rule.name, client)
        seconds = max(1, math.ceil(reset_at - time.time()))
        message = say(rule.message, rate=describe(rule.limit), seconds=str(seconds))
        await json_response(429, message, {"Retry-After": str(seconds)})(send)


class MethodGuard:
    """405 with Allow for a method a known route does not take.

    Without it the Gradio app mounted at "/" catches every path, so `TRACE /api/ask` got a 404.
    """

    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed = allowed_methods(self.routes, scope) if scope["type"] == "http" else None
        if allowed:
            methods = say("api_method_or").join(allowed)
            detail = say("api_method", route=scope["path"], method=scope["method"], allowed=methods)
            await json_response(405, detail, {"Allow": ", ".join(allowed)})(send)
        else:
            await self.app(scope, receive, send)


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str] | None:
    """The methods that the app's own routes (mounts aside) take at this path, when they do not
    take this one; None when a route takes the request or no route has its path."""
    own = [route for route in routes if not isinstance(route, Mount)]
    found = {route.matches(scope)[0] for route in own}
    if Match.FULL in found or Match.PARTIAL not in found:
        return None
    return [m for m in METHODS if any(route.matches({**scope, "method": m})[0] is Match.FULL for route in own)]

"""Shared objects of one app, reached from a request: the service and the feedback store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from assistant.errors import MethodNotAllowed, NotFound
from assistant.service.assistant import Assistant
from assistant.service.feedback import FeedbackStore
from assistant.settings import Settings


def get_assistant(request: Request) -> Assistant:
    assistant: Assistant = request.app.state.assistant
    return assistant


def get_feedback(request: Request) -> FeedbackStore:
    store: FeedbackStore = request.app.state.feedback
    return store


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def client_of(request: Request) -> str:
    """The address a request counts against (X-Forwarded-For only when the settings trust it)."""
    peer = request.client.host if request.client else None
    return str(request.app.state.limits.client(peer, request.headers.get("x-forwarded-for", "")))


def refuse_unknown(request: Request, routes: Iterable[BaseRoute], catch_all: Callable[..., Any]) -> NoReturn:
    """A path under an API prefix that no route serves: 405 (with what is allowed) when a route
    serves it with another method, else 404; both in the API's error shape, not the page's."""
    path = request.url.path
    allowed = sorted({m for route in routes if isinstance(route, APIRoute) and route.endpoint is not catch_all
                      and route.path_regex.match(path) for m in route.methods or ()})
    if allowed:
        raise MethodNotAllowed(f"{request.method} is not allowed on {path}; use {', '.join(allowed)}",
                               f"接口 {path} 不支持 {request.method}，请使用 {'、'.join(allowed)}。", allowed=allowed)
    raise NotFound(f"no API endpoint {path}; see /docs", f"不存在接口 {path}，请查看 /docs。")

"""Shared objects of one app, reached from a request: the service and the feedback store."""

from __future__ import annotations

from fastapi import Request

from assistant.feedback import FeedbackStore
from assistant.service import Assistant
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

"""`/api/*`: the assistant's own HTTP API. Thin: every route calls one service function."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant.errors import AssistantError, InvalidRequest, NoDocuments
from assistant.service.assistant import Assistant
from assistant.service.contract import answer_json, clause_json, document_json, error_json, hit_json
from assistant.service.feedback import FeedbackStore
from assistant.settings import Settings
from web.deps import client_of, get_app_settings, get_assistant, get_feedback, refuse_unknown
from web.models.requests import AskRequest, FeedbackRequest
from web.models.responses import (
    ERRORS,
    AnswerOut,
    ClauseOut,
    DocumentsOut,
    ErrorBody,
    FeedbackList,
    FeedbackOut,
    HealthOut,
    LiveOut,
    ReadyOut,
    SearchOut,
    UnavailableBody,
)
from web.routes import admin
from web.startup import RETRY_AFTER_SECONDS, starting_error

router = APIRouter(prefix="/api", tags=["assistant"], responses=ERRORS)
AssistantDep = Annotated[Assistant, Depends(get_assistant)]


@router.post("/ask", response_model=AnswerOut, summary="Answer a question with citations (follow-ups through `history`)")
async def ask(body: AskRequest, assistant: AssistantDep, request: Request) -> dict[str, Any]:
    history = [m.turn() for m in body.history]
    async with request.app.state.long_lane.enter(history):
        answer = await run_in_threadpool(assistant.ask, body.question, region=body.region or None,
                                         document=body.document or None, history=history,
                                         include_retired=body.include_retired)
    return answer_json(answer)


@router.get("/search", response_model=SearchOut, summary="Ranked clauses with scores, no answer text")
def search(assistant: AssistantDep, settings: Annotated[Settings, Depends(get_app_settings)],
           q: Annotated[str, Query(description="the question or keywords")] = "",
           k: Annotated[int, Query(description="how many clauses")] = 5,
           region: str | None = None, document: str | None = None,
           include_retired: Annotated[bool, Query(description="also repealed and superseded documents")] = False,
           ) -> dict[str, Any]:
    if not 1 <= k <= settings.max_search_k:
        raise InvalidRequest(f"k must be between 1 and {settings.max_search_k}, got {k}",
                             f"k 须在 1 到 {settings.max_search_k} 之间。", limit=settings.max_search_k)
    engine = assistant.engine()  # one index for the hits and their documents
    hits = assistant.search_in(engine, q, k, region=region or None, document=document or None,
                               include_retired=include_retired)
    documents = engine.index.documents
    return {"query": q.strip(), "k": k, "region": region, "document": document, "include_retired": include_retired,
            "hits": [hit_json(h, documents[h.clause.doc_id]) for h in hits]}


@router.get("/documents", response_model=DocumentsOut, summary="The documents with title, 文号, issuer, region, date and clause count")
def documents(assistant: AssistantDep) -> dict[str, Any]:
    return {"documents": [document_json(doc, n) for doc, n in assistant.documents()],
            "regions": assistant.regions()}


@router.get("/clauses/{clause_id:path}", response_model=ClauseOut, summary="One clause in context")
def clause(clause_id: str, assistant: AssistantDep) -> dict[str, Any]:
    return clause_json(assistant.clause(clause_id))


@router.head("/health", include_in_schema=False)
@router.get("/health", summary="Ready or not, and the index manifest", response_model=None,
            responses={200: {"model": HealthOut}, 503: {"model": UnavailableBody,
                                                        "description": "No usable index, or still loading it"}})
def health(assistant: AssistantDep, request: Request) -> JSONResponse:
    if request.app.state.startup.loading:  # the port is bound, the index still loading
        return JSONResponse({"status": "starting", "live": True, "ready": False, **error_json(starting_error())},
                            status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    try:
        manifest = assistant.manifest()
    except NoDocuments as exc:  # up and answering, with nothing to answer from yet
        return JSONResponse({"status": "empty", **error_json(exc)})
    except AssistantError as exc:
        return JSONResponse({"status": "unavailable", **error_json(exc)}, status_code=503)
    keep = ("build", "mode", "corpus_fingerprint", "embedding_model", "embedding_model_description", "built_at",
            "build_seconds", "documents", "clauses", "format_version", "package_version", "dimension")
    body: dict[str, Any] = {"status": "ready", "manifest": {k: manifest[k] for k in keep if k in manifest}}
    if assistant.degraded:  # a damaged build could not serve: an older good one does
        body.update(status="degraded", degraded=assistant.degraded)
    body.update(live=True, ready=body["status"] == "ready")
    return JSONResponse(body)


@router.head("/health/live", include_in_schema=False)
@router.get("/health/live", response_model=LiveOut, summary="Liveness: the process answers (always 200)")
def live() -> dict[str, Any]:
    return {"status": "live"}


@router.head("/health/ready", include_in_schema=False)
@router.get("/health/ready", response_model=None,
            responses={200: {"model": ReadyOut},
                       503: {"model": ErrorBody, "description": "No index, or a fallback build serves"}},
            summary="Readiness: 200 only while a good build serves; 503 while starting, with no index or a fallback build")
def ready(assistant: AssistantDep, request: Request) -> JSONResponse:
    if request.app.state.startup.loading:
        return JSONResponse({"status": "starting", "ready": False, **error_json(starting_error())}, status_code=503,
                            headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    try:
        build = assistant.manifest().get("build")
    except AssistantError as exc:
        return JSONResponse({"status": "unavailable", "ready": False, **error_json(exc)}, status_code=503)
    if assistant.degraded:
        return JSONResponse({"status": "degraded", "ready": False, "build": build, "degraded": assistant.degraded},
                            status_code=503)
    return JSONResponse({"status": "ready", "ready": True, "build": build})


@router.post("/feedback", status_code=201, response_model=FeedbackOut, summary="Rate an answer: up or down, with an optional comment")
def add_feedback(body: FeedbackRequest, store: Annotated[FeedbackStore, Depends(get_feedback)], request: Request,
                 idempotency_key: Annotated[str | None, Header(max_length=100)] = None) -> dict[str, Any]:
    """A retry with the same `Idempotency-Key` header (or `idempotency_key` field) returns the
    row saved the first time. Each address may add so many rows a day (429), and the store may
    grow only so large (507)."""
    row = store.add(body.rating, body.question, body.answer, body.comment, body.clause_ids, source="api",
                    idempotency_key=body.idempotency_key or idempotency_key, client=client_of(request))
    return row.to_dict()


@router.get("/feedback", response_model=FeedbackList, summary="The latest ratings, newest first (admin)",
            dependencies=[admin.Admin])
def list_feedback(store: Annotated[FeedbackStore, Depends(get_feedback)],
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100, rating: str | None = None) -> dict[str, Any]:
    return {"feedback": [row.to_dict() for row in store.list(limit, rating)]}


@router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], include_in_schema=False)
def unknown(path: str, request: Request) -> None:
    """Unknown /api paths and wrong methods, in the API's error shape."""
    refuse_unknown(request, (*router.routes, *admin.router.routes), unknown)

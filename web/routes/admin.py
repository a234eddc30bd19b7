"""Admin routes: upload, replace, delete, retire and reinstate documents.

Off unless the server has `ASSISTANT_ADMIN_TOKEN`; a request sends it as `Authorization: Bearer
TOKEN` (or `X-Admin-Token`). Each change rebuilds the index incrementally and answers once the
new build serves, so the next question already sees it. Thin: every route calls the service.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from assistant.ingest.manifest import SourceSpec
from assistant.service.assistant import Assistant
from assistant.service.library import Metadata
from web.deps import get_assistant
from web.models.requests import RetireRequest
from web.models.responses import ERRORS, BulkUploadOut, RemovedOut, StatusOut, UploadOut

router = APIRouter(prefix="/api/documents", tags=["admin"], responses=ERRORS)
AssistantDep = Annotated[Assistant, Depends(get_assistant)]


def require_admin(request: Request, assistant: AssistantDep, authorization: Annotated[str | None, Header()] = None,
                  x_admin_token: Annotated[str | None, Header()] = None) -> None:
    """The app's own (strong) token first: a weak one configured leaves admin off (403)."""
    token = x_admin_token
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    request.app.state.limits.authorize(token)
    assistant.authorize(token)


Admin = Depends(require_admin)


async def _read(upload: UploadFile, request: Request, assistant: Assistant) -> tuple[str, bytes]:
    """The upload's name and bytes, refusing an oversized one before reading it all."""
    name = upload.filename or "upload"
    declared = int(request.headers.get("content-length") or 0)
    limit = assistant.settings.max_upload_bytes
    if declared > limit + 64 * 1024:  # the multipart envelope adds a little
        assistant.check_size(name, declared)
    data = await upload.read(limit + 1)
    assistant.check_size(name, len(data))
    return name, data


def _built(manifest: dict[str, Any]) -> dict[str, Any]:
    keep = ("build", "mode", "build_seconds", "documents", "clauses", "reuse")
    return {k: manifest[k] for k in keep if k in manifest}


def _source(spec: SourceSpec) -> dict[str, Any]:
    return {"id": spec.id, "file": spec.file, "title": spec.title, "issuer": spec.issuer,
            "doc_number": spec.doc_number, "date": spec.date, "region": spec.region, "layout": spec.layout}


@router.post("", status_code=201, dependencies=[Admin], response_model=UploadOut,
             summary="Upload a .txt/.md/.pdf/.docx document; the index is updated before the answer")
async def upload(request: Request, assistant: AssistantDep, file: Annotated[UploadFile, File()],
                 region: Annotated[str, Form()] = "", region_parent: Annotated[str, Form()] = "",
                 title: Annotated[str, Form()] = "", issuer: Annotated[str, Form()] = "",
                 doc_number: Annotated[str, Form()] = "", date: Annotated[str, Form()] = "",
                 id: Annotated[str, Form()] = "") -> dict[str, Any]:
    name, data = await _read(file, request, assistant)
    meta = Metadata(title=title, issuer=issuer, doc_number=doc_number, date=date, region=region,
                    region_parent=region_parent, doc_id=id)
    spec, manifest = await run_in_threadpool(assistant.add_document, name, data, meta)
    return {"document": _source(spec), "index": _built(manifest)}


@router.post("/bulk", status_code=201, dependencies=[Admin], response_model=BulkUploadOut,
             summary="Upload several documents in one request; one build, a report per file")
async def upload_many(request: Request, assistant: AssistantDep, files: Annotated[list[UploadFile], File()],
                      region: Annotated[str, Form()] = "", region_parent: Annotated[str, Form()] = "") -> dict[str, Any]:
    """Each file is added, skipped as a duplicate, or refused with its reason; the rest of the batch
    is added all the same. A file whose region is neither given nor read from it is refused as
    "region unknown" (unless the server sets ASSISTANT_IMPORT_DEFAULT_REGION). The whole request
    is bounded like one upload (ASSISTANT_MAX_UPLOAD_BYTES)."""
    limit = assistant.settings.max_upload_bytes
    read = [(upload.filename or f"upload-{n}", await upload.read(limit + 1)) for n, upload in enumerate(files, 1)]
    report, manifest = await run_in_threadpool(assistant.add_documents, read, region, region_parent)
    body = report.to_json()
    body["added"] = [_source(spec) for spec in report.added]
    return {**body, "index": _built(manifest)}


@router.put("/{doc_id}", dependencies=[Admin], response_model=UploadOut, summary="Replace a document's file with a new version")
async def replace(doc_id: str, request: Request, assistant: AssistantDep,
                  file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    name, data = await _read(file, request, assistant)
    spec, manifest = await run_in_threadpool(assistant.update_document, doc_id, name, data)
    return {"document": _source(spec), "index": _built(manifest)}


@router.delete("/{doc_id}", dependencies=[Admin], response_model=RemovedOut, summary="Delete a document from the corpus")
def delete(doc_id: str, assistant: AssistantDep) -> dict[str, Any]:
    spec, manifest = assistant.remove_document(doc_id)
    return {"removed": _source(spec), "index": _built(manifest)}


@router.post("/{doc_id}/retire", dependencies=[Admin], response_model=StatusOut,
             summary="Mark a document 已废止, or 被替代 with `superseded_by`")
def retire(doc_id: str, assistant: AssistantDep, body: RetireRequest | None = None) -> dict[str, Any]:
    superseded_by = body.superseded_by if body else ""
    manifest = assistant.retire_document(doc_id, superseded_by)
    return {"id": doc_id, "status": "被替代" if superseded_by else "已废止", "superseded_by": superseded_by or None,
            "index": _built(manifest)}


@router.post("/{doc_id}/reinstate", dependencies=[Admin], response_model=StatusOut,
             summary="Mark a retired document 现行 again")
def reinstate(doc_id: str, assistant: AssistantDep) -> dict[str, Any]:
    return {"id": doc_id, "status": "现行", "index": _built(assistant.reinstate_document(doc_id))}

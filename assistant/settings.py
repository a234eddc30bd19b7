"""The one Settings class. Environment variables use the prefix ASSISTANT_."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    corpus_dir: Path = REPO_ROOT / "corpus"
    index_dir: Path = REPO_ROOT / "index"
    # What the server keeps: feedback.sqlite3.
    data_dir: Path = REPO_ROOT / "data"
    host: str = "127.0.0.1"
    port: int = 7860
    # Server logs: "text" lines, or "json" (one object a line, with the request id); an access line per request.
    log_format: Literal["text", "json"] = "text"
    # How often a server looks for a newly published build without waiting for a request (seconds; <= 0: never).
    watch_seconds: float = 0.5
    # Threads answering requests at once (answering holds the GIL; more threads add only latency).
    worker_threads: int = 2
    # The name `/v1/models` reports and `/v1/chat/completions` accepts.
    model_name: str = "policy-assistant"
    # "trained" = the domain StaticEmbedding the build trains on the corpus (offline default).
    # Otherwise a sentence-transformers model id (e.g. BAAI/bge-small-zh-v1.5) or a local folder.
    embedding_model: str = "trained"
    # A safety cap: training normally ends after its fixed epochs (~35 s here), deterministic.
    embedder_train_seconds: float = 60.0
    seed: int = 13
    # Reciprocal-rank fusion: k and the dense list's weight (lexical weighs 1.0).
    rrf_k: int = 20
    dense_weight: float = 0.05
    # Boost for clauses from the region / indicator named in the question.
    region_boost: float = 0.5
    topic_boost: float = 0.25
    candidates: int = 50
    # Dense search at scale: a scope of up to this many clauses is scored exactly; a wider one goes
    # to FAISS, which for a large corpus is an IVF index searched in this many of its lists.
    dense_exact_up_to: int = 50_000
    dense_nprobe: int = 32
    # Where clauses are searched: "inprocess" (BM25 and FAISS files of the build, the default) or
    # "milvus" (see assistant/retrieval/milvus.py): a file path runs Milvus Lite in this process
    # (default: data_dir/milvus.db); an http(s):// URI reaches a Milvus server or cluster.
    search_backend: Literal["inprocess", "milvus"] = "inprocess"
    milvus_uri: str = ""
    milvus_collection: str = "clauses"
    # A Milvus server with authentication: a token ("user:password" or an API key), or a user and
    # password; and the database to use ("" = the server's default).
    milvus_token: SecretStr | None = None
    milvus_user: str = ""
    milvus_password: SecretStr | None = None
    milvus_db_name: str = ""
    # The one process that writes Milvus (publishes each build's collection and moves the alias):
    # None (default) = the process holding a Milvus Lite file, and on a Milvus server no serving
    # process; set true on the build host, where `assistant build` and the corpus commands run.
    milvus_writer: bool | None = None
    # Where the build's parse, tokenize and embed stages run: "local" (this process) or "ray"
    # (Ray Data; `ray_address` empty starts a local Ray instance, "auto" or ray://… joins a cluster).
    build_executor: Literal["local", "ray"] = "local"
    ray_address: str = ""
    max_citations: int = 5
    # A deployment serving one city: a question that names no place is answered for this region
    # (and the regions containing it), and the answer says so. Empty: every region.
    home_region: str = ""
    # Clauses the answer re-ranks at sentence level for each ask.
    rerank_candidates: int = 20
    max_question_chars: int = 1000
    # Tests only: seconds the page waits before each answer, to see its loading state.
    page_answer_delay_seconds: float = 0.0
    # The longest clause a document yields: a longer paragraph is cut at its sentence ends.
    max_clause_chars: int = 1000
    # What one new file (an upload, `assistant add`) may add: clauses per document, and clauses per
    # upload in all: at most `upload_clauses_corpus_share` times the serving corpus's clauses, and
    # never fewer than `upload_clauses_floor` (a new, small corpus can still grow). Over them: 422.
    # The documents already in the corpus are built whatever their size.
    max_clauses_per_document: int = 5000
    upload_clauses_floor: int = 20_000
    upload_clauses_corpus_share: float = 1.0
    max_search_k: int = 50
    # Earlier user questions a follow-up may lean on.
    max_history_turns: int = 6
    # Characters of each earlier question read to follow the conversation (a question is short).
    max_replay_chars: int = 200
    # A request whose history holds more questions or characters than these waits in one lane
    # that may use at most `long_history_share` of the server's time (web/lanes.py).
    long_history_turns: int = 3
    long_history_chars: int = 3000
    long_history_share: float = 0.1
    # Abstain when the best clause covers less than this share of the question's key terms.
    min_coverage: float = 0.4
    # How often (seconds) a running server looks for a newer index build; negative: never.
    reload_check_seconds: float = 1.0
    # "Today" for telling whether a 完成时限 has passed; unset: the real date.
    today: date | None = None
    # Admin routes (upload, delete, retire) need this token; unset, or weaker than 16 characters
    # of more than common words, they are off.
    admin_token: SecretStr = SecretStr("")
    # `/metrics` needs this as a bearer token when set (401 otherwise); unset, it is open.
    metrics_token: SecretStr = SecretStr("")
    max_upload_bytes: int = 20 * 1024 * 1024
    # An uploaded PDF's pages and page content streams (inflated), checked before it is parsed.
    pdf_max_pages: int = 1000
    pdf_max_content_bytes: int = 64 * 1024 * 1024
    # Scanned pages and images read by OCR: pages per file, and the reading time allowed per page.
    ocr_max_pages: int = 100
    ocr_page_seconds: float = 30.0
    # A bulk add (`assistant add DIR`, a multi-file upload): how many files one upload may carry,
    # and the region a file gets when none is given or read from it ("" refuses such a file on its
    # own, as "region unknown", and the rest of the batch is added).
    max_upload_files: int = 200
    import_default_region: str = ""
    # Any other request body; refused with 413 while it is read.
    max_body_bytes: int = 1024 * 1024
    # Chat history a request may send, in characters (every message together).
    max_history_chars: int = 50_000
    # What the page's upload folder may hold before further page uploads are refused (507).
    max_pending_upload_bytes: int = 200 * 1024 * 1024
    # Per client (IP) moving-window limits, `limits` notation: questions, admin routes, the rest.
    rate_limit_ask: str = "20/second;600/minute"
    rate_limit_admin: str = "30/minute"
    rate_limit_other: str = "50/second"
    # The page's queue (Gradio): page sessions an address opens (its first join; the further joins
    # of a session it opened count under `rate_limit_other`), events waiting at most, sessions with
    # events not yet delivered at most (Gradio keeps 2,000), and of those per address, and events
    # one session may have waiting or running; past them 429, or 503 when the page is full.
    rate_limit_page_join: str = "5/second;120/minute"
    page_queue_size: int = 64
    page_sessions: int = 1000
    page_pending_per_client: int = 2
    page_events_per_session: int = 8
    # After 3 wrong admin tokens from one address, each more doubles a wait (from this many seconds,
    # at most the max) before its next admin attempt is checked; 0: no waits.
    admin_backoff_seconds: float = 1.0
    admin_backoff_max_seconds: float = 900.0
    # Feedback rows one address may add a day (UTC), and the most the feedback store may hold.
    feedback_rows_per_client_per_day: int = 500
    feedback_max_bytes: int = 200 * 1024 * 1024
    # Take the client from X-Forwarded-For (only behind a proxy you trust); false: proxy headers
    # are ignored entirely, by uvicorn too.
    trust_forwarded_for: bool = False
    # Origins allowed to call the API from a browser (CORS); empty: none.
    cors_origins: list[str] = []
    # How long an admin request waits for another build to finish before answering 409.
    build_wait_seconds: float = 120.0


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

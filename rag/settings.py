"""One settings model for the whole product; every field can come from a `RAG_*` environment variable."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    home: Path = Field(Path(".rag"), description="Folder for the embedded Chroma database and the BM25 index.")
    collection: str = Field("default", description="Chroma collection that holds the corpus.")
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server; embedded Chroma when unset.")
    k: int = Field(5, ge=1, le=50, description="Passages retrieved per question.")
    candidates: int = Field(30, ge=1, le=500, description="Candidates taken from each of dense and BM25 before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant: larger flattens the rank weights.")
    exact_search_limit: int = Field(
        20_000, ge=0, description="Collections with up to this many chunks are searched exactly, from their vectors "
        "held in memory (~1.5 KB a chunk); larger ones use Chroma's approximate HNSW index.",
    )
    llm: str = Field(
        "auto", description="Answer backend: local (bundled GGUF via llama.cpp), openai (any OpenAI-compatible "
        "server), extractive (no LLM), or auto (local when installed, else extractive).",
    )
    model: str | None = Field(
        None, description="For the local backend: a bundled model name or a path to any GGUF file "
        "(default: the bundled Qwen2.5-Coder-1.5B-Instruct Q4_K_M).",
    )
    model_cache: Path | None = Field(None, description="Where bundled models are assembled (default ~/.cache/groundrag/models).")
    context_tokens: int = Field(4096, description="llama.cpp context size for the local backend.")
    max_answer_tokens: int = Field(120, description="Cap on generated tokens per answer: answers are kept short.")
    openai_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.")
    openai_model: str = Field("default", description="Model name to request from the OpenAI-compatible server.")
    openai_api_key: str | None = Field(None, description="API key for the OpenAI-compatible server, if it needs one.")
    unsupported: str = Field(
        "drop", pattern="^(drop|show)$",
        description="What to do with answer sentences no passage supports: drop them, or show them marked unsupported.",
    )
    min_draft_confidence: float = Field(
        0.2, ge=0.0, le=1.0, description="The answer abstains when its draft holds a word the model chose with less "
        "than this probability: it was unsure what to write (0 turns this off). Read by the local backend, and "
        "by the openai one when the server streams log-probabilities.",
    )
    min_judged_yes: float = Field(
        0.5, ge=0.0, le=1.0, description="With an LLM backend, the model is asked whether the quoted text answers "
        "the question; the answer abstains when its probability of yes is below this (0 turns the judge off).",
    )
    llm_record: Path | None = Field(
        None, description="Record every model reply in this JSON-lines file and replay it when the same prompt comes "
        "again, without running the model (evals: re-measure a change to the checks on the same drafts; the times of "
        "replayed answers are not real).",
    )
    min_similarity: float = Field(
        0.25, description="Abstain when no retrieved passage reaches this cosine similarity to the question."
    )
    max_question_chars: int = Field(4000, description="Longer questions are refused with a clear error.")
    host: str = Field("127.0.0.1", description="Address the chat server binds to.")
    port: int = Field(7860, description="Port of the chat server.")
    auth_token: str | None = Field(
        None, description="Token the chat server requires: `Authorization: Bearer TOKEN` on the HTTP API, the "
        "password on the chat page's login. Required to bind anything but loopback.",
    )
    max_file_mb: float = Field(64, gt=0, description="Files larger than this are skipped at ingest, with a reason.")
    max_upload_mb: int = Field(50, ge=1, description="Largest upload (all files of one request together) in MB.")
    max_request_kb: int = Field(256, ge=1, description="Largest JSON request body the HTTP API accepts, in KB.")

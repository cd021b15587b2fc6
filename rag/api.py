"""The HTTP API: thin FastAPI routes over `Library` (one Assistant per collection).

`/api/*` speaks the CLI's JSON contract; `/v1/*` is OpenAI-compatible so any OpenAI client can ask.
Over /v1 only the checked answer is streamed, never the model's draft: a client that can't retract
text must not show a sentence the check later drops. Every error is JSON, `{"error": {"message",
"type"}}` (the OpenAI shape, which its client reads), with a meaningful status code.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from itertools import chain
from typing import Any, Iterator

from fastapi import Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from index import StoreError
from index.store import CollectionNameError

from .assistant import QuestionError
from .generate import as_text
from .library import Library
from .llm import LLMError
from .models import ModelError
from .types import Answer

MODEL_ID = "groundrag"  # the /v1 model name for the default collection; a collection's name works too


class RetrieveRequest(BaseModel):
    question: str
    k: int | None = Field(None, ge=1, le=50)
    source: str | None = None
    collection: str | None = None
    as_of: str | None = Field(None, description="The date the question is asked on (YYYY-MM-DD): documents published "
                              "later are left out, and 'this week' counts back from it.")


class AskRequest(RetrieveRequest):
    history: list[Any] | None = Field(None, description="[[question, answer], ...] or [{role, content}, ...]")
    llm: str | None = None
    stream: bool = False


class ChatMessage(BaseModel):
    role: str
    content: str | list[dict] | None = None


class ChatRequest(BaseModel):
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False


def error_body(message: str, kind: str) -> dict:
    return {"error": {"message": message, "type": kind}}


def build_api(library: Library, auth_token: str | None = None) -> FastAPI:
    app = FastAPI(title="groundrag", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    require_token = _token_check(auth_token)
    _add_error_handlers(app)
    app.add_middleware(BodyLimit, json_limit=library.settings.max_request_kb * 1024,
                       upload_limit=library.settings.max_upload_mb * 1024 * 1024)

    @app.get("/api/health")
    def health():
        return {"status": "ok", "collection": library.settings.collection, "backend": library.default.backend}

    @app.post("/api/retrieve", dependencies=[Depends(require_token)])
    def retrieve(request: RetrieveRequest):
        passages = library.get(request.collection).retrieve(request.question, k=request.k, source=request.source,
                                                            as_of=request.as_of)
        return {"question": request.question, "passages": [p.to_dict() for p in passages]}

    @app.post("/api/ask", dependencies=[Depends(require_token)])
    def ask(request: AskRequest):
        assistant = library.get(request.collection)
        asked = dict(history=request.history, llm=request.llm, k=request.k, source=request.source, as_of=request.as_of)
        if not request.stream:
            return assistant.ask(request.question, **asked).to_dict()
        stream = assistant.ask_stream(request.question, **asked)
        first = next(stream)  # raises bad-question and backend errors here, as a plain JSON error
        return StreamingResponse(_sse(chain([first], stream)), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @app.post("/api/ingest", dependencies=[Depends(require_token)])
    def upload(files: list[UploadFile] = File(...), collection: str | None = Form(None)):
        sent = [(f.filename or "", f.file.read()) for f in files]
        report = library.upload(sent, collection)
        body = {"collection": library.get(collection).settings.collection, **report.to_dict()}
        return JSONResponse(body, status_code=200 if report.accepted else 400)

    @app.get("/api/documents", dependencies=[Depends(require_token)])
    def documents(collection: str | None = None):
        assistant = library.get(collection)
        rows = [
            {"doc_id": m["doc_id"], "title": m.get("title", ""), "source": m.get("source", ""), "chunks": m.get("chunk_count")}
            for m in assistant.documents()
        ]
        return {"collection": assistant.settings.collection, "documents": rows}

    @app.delete("/api/documents/{doc_id}", dependencies=[Depends(require_token)])
    def delete(doc_id: str, collection: str | None = None):
        if not library.delete(doc_id, collection):
            raise HTTPException(404, f"no document {doc_id!r} in collection {library.get(collection).settings.collection!r}")
        return {"deleted": doc_id}

    @app.get("/v1/models", dependencies=[Depends(require_token)])
    def models():
        names = [MODEL_ID] + library.collections()
        return {"object": "list", "data": [{"id": n, "object": "model", "created": 0, "owned_by": "groundrag"} for n in names]}

    @app.post("/v1/chat/completions", dependencies=[Depends(require_token)])
    def chat_completions(request: ChatRequest):
        collection = _collection_for_model(library, request.model)
        turns = [{"role": m.role, "content": m.content} for m in request.messages if m.role in ("user", "assistant")]
        if not turns or turns[-1]["role"] != "user":
            raise HTTPException(400, "the last message must come from the user")
        assistant = library.get(collection)
        question = assistant.clean_question(as_text(turns[-1]["content"]))
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        if request.stream:
            answer = lambda: assistant.ask(question, history=turns[:-1])  # noqa: E731  (asked once the stream is open)
            return StreamingResponse(_completion_chunks(completion_id, request.model, answer), media_type="text/event-stream")
        return _completion(completion_id, request.model, assistant.ask(question, history=turns[:-1]))

    return app


def _token_check(auth_token: str | None):
    def check(request: Request) -> None:
        if auth_token is None:
            return
        sent = request.headers.get("authorization", "")
        scheme, _, token = sent.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip().encode(), auth_token.encode()):
            raise HTTPException(401, "missing or wrong token: send `Authorization: Bearer TOKEN`",
                                headers={"WWW-Authenticate": "Bearer"})

    return check


def _add_error_handlers(app: FastAPI) -> None:
    statuses = {CollectionNameError: 400, QuestionError: 400, ValueError: 400, StoreError: 503, LLMError: 503, ModelError: 503}

    @app.exception_handler(StarletteHTTPException)  # also FastAPI's own, e.g. a body that isn't UTF-8
    async def http_error(request, error: StarletteHTTPException):
        return JSONResponse(error_body(str(error.detail), "invalid_request_error" if error.status_code < 500 else "server_error"),
                            status_code=error.status_code, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request, error: RequestValidationError):
        problems = "; ".join(f"{'.'.join(map(str, e['loc'][1:])) or 'body'}: {e['msg']}" for e in error.errors())
        return JSONResponse(error_body(f"invalid request: {problems}", "invalid_request_error"), status_code=422)

    for kind, status in statuses.items():
        app.add_exception_handler(kind, _handler(status))


def _handler(status: int):
    async def handle(request, error: Exception):
        kind = "invalid_request_error" if status < 500 else "service_unavailable"
        return JSONResponse(error_body(str(error), kind), status_code=status)

    return handle


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: 413 for bodies over the limit, judged by Content-Length or, for chunked
    bodies, by counting what arrives (so nothing over the limit is ever held in memory)."""

    def __init__(self, app, json_limit: int, upload_limit: int):
        self.app, self.json_limit, self.upload_limit = app, json_limit, upload_limit

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(("/api/", "/v1/")):
            return await self.app(scope, receive, send)  # the chat page's uploads have Gradio's own limit
        limit = self.upload_limit if path == "/api/ingest" else self.json_limit
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await self._refuse(send, limit)
        received, started, overflow = 0, False, False

        async def counting_receive():
            nonlocal received, overflow
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                overflow = True
                raise _TooLarge
            return message

        async def tracking_send(message):
            nonlocal started
            if overflow:  # the app's own reply to a body cut short (FastAPI makes it a 400) is replaced
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            pass
        if overflow and not started:
            await self._refuse(send, limit)

    @staticmethod
    async def _refuse(send, limit: int):
        body = json.dumps(error_body(f"request body is over the {limit // 1024:,} KB limit", "invalid_request_error")).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _sse(stream: Iterator) -> Iterator[str]:
    """`token` events with the draft, then one `answer` event (the checked answer), then `done`."""
    try:
        for item in stream:
            if isinstance(item, Answer):
                yield _event("answer", item.to_dict())
            else:
                yield _event("token", {"text": item})
    except Exception as error:  # the status line is gone by now; the client gets an error event
        yield _event("error", error_body(str(error), type(error).__name__))
        return
    yield _event("done", {})


def _collection_for_model(library: Library, model: str) -> str:
    if model in (MODEL_ID, "", None):
        return library.settings.collection
    if model in library.collections():
        return model
    raise HTTPException(404, f"model {model!r} not found; use {MODEL_ID!r} or a collection name (GET /v1/models)")


def openai_text(answer: Answer) -> str:
    """The answer with its [n] markers, then the numbered sources with their quotes."""
    lines = [answer.answer]
    if answer.citations:
        lines += ["", "Sources:"] + [f"[{c.n}] {c.title}{_dated(c.published)} — {c.source}: “{c.quote}”" for c in answer.citations]
    return "\n".join(lines)


def _dated(published: str) -> str:
    return f" ({published[:10]})" if published else ""


def _extra(answer: Answer) -> dict:
    body = answer.to_dict()
    return {k: body[k] for k in ("citations", "sentences", "abstained", "timings_ms")}


def _completion(completion_id: str, model: str, answer: Answer) -> dict:
    text = openai_text(answer)
    prompt_tokens = int(answer.timings_ms.get("prompt_tokens", 0))
    completion_tokens = len(text.split())
    return {
        "id": completion_id, "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
        **_extra(answer),
    }


def _completion_chunks(completion_id: str, model: str, make_answer) -> Iterator[str]:
    def chunk(delta: dict, finish: str | None = None, **extra) -> str:
        body = {"id": completion_id, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})  # at once: the client sees the answer is on its way
    try:
        answer = make_answer()
    except Exception as error:
        yield f"data: {json.dumps(error_body(str(error), type(error).__name__))}\n\n"
        return
    for line in openai_text(answer).splitlines(keepends=True):
        yield chunk({"content": line})
    yield chunk({}, "stop", **_extra(answer))
    yield "data: [DONE]\n\n"

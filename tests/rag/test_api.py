"""The HTTP API on a real server on 127.0.0.1: every endpoint, its errors, and the `openai` client."""

from __future__ import annotations

import http.client
import json
import shutil
import urllib.request
from pathlib import Path

import pytest

from rag import Settings
from rag.library import Library
from tests.conftest import SEED_DOC_NAME, SEEDS
from ui.server import serve

CFO_QUESTION = "How many Huawei affiliates were added to the economic blacklist?"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("api")
    shutil.copy(SEEDS / SEED_DOC_NAME, base / SEED_DOC_NAME)
    library = Library(Settings(home=base / "home", llm="extractive", max_request_kb=64, max_upload_mb=1))
    assert library.default.ingest([base / SEED_DOC_NAME]).ok
    running = serve(library, port=_port(), block=False)
    yield running
    running.close()


def _port() -> int:
    from tests.conftest import pick_port

    return pick_port()


def call(server, method: str, path: str, body=None, headers: dict | None = None, raw: bytes | None = None):
    """(status, parsed JSON or text) of one request."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(server.url.rstrip("/") + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text)
    except json.JSONDecodeError:
        return status, text


def multipart(files: list[tuple[str, bytes]], collection: str | None = None) -> tuple[bytes, dict]:
    boundary = "groundrag-test-boundary"
    parts = []
    for name, content in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    if collection:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="collection"\r\n\r\n{collection}\r\n'.encode())
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_health(server):
    status, body = call(server, "GET", "/api/health")
    assert status == 200 and body["status"] == "ok" and body["backend"] == "extractive"


def test_retrieve_follows_the_cli_contract(server):
    status, body = call(server, "POST", "/api/retrieve", {"question": CFO_QUESTION, "k": 2})
    assert status == 200 and body["question"] == CFO_QUESTION and len(body["passages"]) == 2
    assert set(body["passages"][0]) == {"id", "doc_id", "source", "title", "text", "score", "start", "end", "published"}


def test_ask_answers_with_a_checked_citation(server, seed_text):
    status, body = call(server, "POST", "/api/ask", {"question": CFO_QUESTION})
    assert status == 200 and not body["abstained"] and "38" in body["answer"]
    citation = body["citations"][0]
    assert seed_text[citation["start"]:citation["end"]] == citation["quote"]


def test_ask_streams_server_sent_events_ending_with_the_answer(server):
    status, text = call(server, "POST", "/api/ask", {"question": CFO_QUESTION, "stream": True})
    assert status == 200
    events = [block.split("\n") for block in text.strip().split("\n\n")]
    names = [lines[0].removeprefix("event: ") for lines in events]
    assert names[-2:] == ["answer", "done"] and set(names[:-2]) <= {"token"}
    answer = json.loads(events[-2][1].removeprefix("data: "))
    assert "38" in answer["answer"] and answer["citations"]


@pytest.mark.parametrize("body, status, words", [
    ({"question": "   "}, 400, "empty"),
    ({"question": "x" * 5000}, 400, "limit"),
    ({"question": "hi", "llm": "gpt-99"}, 400, "unknown answer backend"),
    ({"question": "hi", "k": 0}, 422, "k"),
    ({"question": "hi", "collection": "../etc"}, 400, "invalid collection name"),
    ({"question": "hi", "as_of": "last week"}, 400, "as_of must be a date"),
    ({"nothing": 1}, 422, "question"),
])
def test_ask_rejects_bad_requests_with_a_json_message(server, body, status, words):
    got, reply = call(server, "POST", "/api/ask", body)
    assert got == status and words in reply["error"]["message"]


def test_malformed_json_gets_422(server):
    status, reply = call(server, "POST", "/api/ask", raw=b'{"question": ')
    assert status == 422 and "JSON" in reply["error"]["message"]


def test_oversize_bodies_are_refused_by_length_and_when_chunked(server):
    big = json.dumps({"question": "a " * 40_000}).encode()  # 80 KB, the test server allows 64
    status, reply = call(server, "POST", "/api/ask", raw=big)
    assert status == 413 and "limit" in reply["error"]["message"]
    host, port = server.url.split("//")[1].rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("POST", "/api/retrieve", body=iter([big[i:i + 8192] for i in range(0, len(big), 8192)]),
                       headers={"Content-Type": "application/json"}, encode_chunked=True)
    response = connection.getresponse()
    assert response.status == 413 and "limit" in json.loads(response.read())["error"]["message"]


def test_upload_list_ask_and_delete_a_document(server):
    note = b"The Zorblax protocol was ratified in Lisbon in 2031 by eleven delegations."
    body, headers = multipart([
        ("zorblax.txt", note),
        ("../../escape.txt", b"Escaping text that must land inside the upload folder, safely named."),
        ("binary.txt", bytes(range(256)) * 8),
        ("tool.exe", b"MZ"),
    ], collection="uploads-test")
    status, report = call(server, "POST", "/api/ingest", headers=headers, raw=body)
    assert status == 200 and report["accepted"] == 2 and report["collection"] == "uploads-test"
    reasons = {r["file"]: r["reason"] for r in report["rejected"]}
    assert "unsupported file type .exe" in reasons["tool.exe"] and "binary" in reasons["binary.txt"]
    folder = Path(server.library.settings.home).resolve() / "uploads" / "uploads-test"
    assert sorted(p.name for p in folder.iterdir()) == ["escape.txt", "zorblax.txt"]

    status, listing = call(server, "GET", "/api/documents?collection=uploads-test")
    zorblax = next(d for d in listing["documents"] if d["title"].startswith("The Zorblax"))
    status, answer = call(server, "POST", "/api/ask", {"question": "Where was the Zorblax protocol ratified?",
                                                       "collection": "uploads-test"})
    assert "Lisbon" in answer["answer"]

    assert call(server, "DELETE", f"/api/documents/{zorblax['doc_id']}?collection=uploads-test")[0] == 200
    assert not (folder / "zorblax.txt").exists()
    status, reply = call(server, "DELETE", f"/api/documents/{zorblax['doc_id']}?collection=uploads-test")
    assert status == 404 and "no document" in reply["error"]["message"]
    status, answer = call(server, "POST", "/api/ask", {"question": "Where was the Zorblax protocol ratified?",
                                                       "collection": "uploads-test"})
    assert "Lisbon" not in answer["answer"]


def test_upload_of_only_bad_files_is_a_400_and_too_big_a_413(server):
    body, headers = multipart([("empty.txt", b"")])
    status, report = call(server, "POST", "/api/ingest", headers=headers, raw=body)
    assert status == 400 and report["accepted"] == 0 and report["rejected"][0]["file"] == "empty.txt"
    status, _ = upload_too_big(server, b"word " * 300_000)  # 1.5 MB, the test server allows 1
    assert status == 413


def upload_too_big(server, content: bytes) -> tuple[int, bytes]:
    """POST an upload the server should refuse by its declared length: (status, body)."""
    body, headers = multipart([("huge.txt", content)])
    host, port = server.url.split("//")[1].rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:  # the server answers 413 from the headers and may close before the body is all sent
        connection.request("POST", "/api/ingest", body=body, headers=headers)
    except (BrokenPipeError, ConnectionResetError):
        pass
    response = connection.getresponse()
    return response.status, response.read()


def test_openai_client_gets_an_answer_with_citations(server):
    from openai import OpenAI

    client = OpenAI(base_url=server.url + "v1", api_key="unused")
    assert "groundrag" in [m.id for m in client.models.list()]
    response = client.chat.completions.create(model="groundrag", messages=[{"role": "user", "content": CFO_QUESTION}])
    text = response.choices[0].message.content
    assert "38" in text and "[1]" in text and "Sources:" in text
    assert response.model_extra["citations"][0]["n"] == 1 and not response.model_extra["abstained"]


def test_openai_client_streams_the_checked_answer(server):
    from openai import OpenAI

    client = OpenAI(base_url=server.url + "v1", api_key="unused")
    chunks = list(client.chat.completions.create(
        model="default", stream=True, messages=[{"role": "user", "content": CFO_QUESTION}]))
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "38" in text and "[1]" in text
    assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].model_extra["citations"]


def test_openai_errors_come_back_as_openai_errors(server):
    import openai

    client = openai.OpenAI(base_url=server.url + "v1", api_key="unused", max_retries=0)
    with pytest.raises(openai.NotFoundError, match="not found"):
        client.chat.completions.create(model="no-such-collection", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.BadRequestError, match="last message"):
        client.chat.completions.create(model="groundrag", messages=[{"role": "assistant", "content": "hi"}])


@pytest.mark.slow
def test_ask_stream_with_the_local_model_sends_tokens_then_the_checked_answer(server):
    status, text = call(server, "POST", "/api/ask", {"question": CFO_QUESTION, "stream": True, "llm": "local"})
    names = [block.split("\n")[0].removeprefix("event: ") for block in text.strip().split("\n\n")]
    assert status == 200 and names[-2:] == ["answer", "done"]
    assert names.count("token") >= 3 and set(names[:-2]) == {"token"}


def test_the_plain_text_sources_give_each_dated_source_its_day():
    from rag.api import openai_text
    from rag.types import Answer, Citation, Sentence

    dated = Citation(1, "p1", "d1", "news.jsonl#L1", "Dartmouth ends loans", "Dartmouth ends loans.", "Dartmouth ends loans.",
                     0, 21, published="2022-06-21T09:30:00")
    undated = Citation(2, "p2", "d2", "notes.txt", "Notes", "Loans end.", "Loans end.", 0, 10)
    answer = Answer("q", "Dartmouth ends loans [1]. Loans end [2].", False,
                    [Sentence("Dartmouth ends loans.", [1], True), Sentence("Loans end.", [2], True)], [dated, undated], "local")
    lines = openai_text(answer).splitlines()
    assert "[1] Dartmouth ends loans (2022-06-21) — news.jsonl#L1: “Dartmouth ends loans.”" in lines
    assert "[2] Notes — notes.txt: “Loans end.”" in lines

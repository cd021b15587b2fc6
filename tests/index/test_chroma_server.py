"""Server mode against a real `chroma run` on 127.0.0.1, started by the test."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from index import StoreError
from rag import Assistant

CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture(scope="module")
def chroma_url(start_server, tmp_path_factory):
    data = tmp_path_factory.mktemp("chroma-server")
    return start_server(
        lambda port: [str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        ready_path="/api/v2/heartbeat", timeout=60,
    )


def test_ingest_and_ask_through_a_chroma_server(chroma_url, tmp_path):
    (tmp_path / "a.txt").write_text("The observatory on Mount Kell opened in 1987 and has a 2.4 metre telescope.")
    assistant = Assistant(chroma_url=chroma_url, collection="server-ask")
    assert assistant.ingest([tmp_path]).added == 1
    answer = assistant.ask("When did the Mount Kell observatory open?")
    assert not answer.abstained and "1987" in answer.answer
    assert answer.citations[0].quote in answer.citations[0].text
    assert not (assistant.settings.home / "chroma").exists()  # nothing was written to an embedded store


def test_two_app_instances_sharing_a_server_never_see_a_stale_bm25(chroma_url, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir(), second.mkdir()
    (first / "a.txt").write_text("Zorblax tokens are traded at the Quillon market every Sunday.")
    (second / "b.txt").write_text("The Vremmish ferry leaves the pier at dawn and returns at dusk.")
    writer = Assistant(home=tmp_path / "writer-home", chroma_url=chroma_url, collection="shared")
    reader = Assistant(home=tmp_path / "reader-home", chroma_url=chroma_url, collection="shared")
    writer.ingest([first])
    assert reader.retriever.retrieve("Zorblax", k=1, mode="bm25")[0].doc_id
    writer.ingest([second])  # the reader's in-memory BM25 is now behind the collection
    [hit] = reader.retriever.retrieve("Vremmish ferry", k=1, mode="bm25")
    assert "Vremmish" in hit.text


def test_server_down_is_a_clear_error(free_port):
    assistant = Assistant(chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreError, match="can't reach the Chroma server"):
        assistant.retrieve("anything")


def test_server_down_from_the_cli_exits_nonzero_with_one_line(run_rag, free_port):
    result = run_rag("ask", "anything", "--chroma-url", f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("rag: can't reach the Chroma server")
    assert "Traceback" not in result.stderr


def start_chroma(data: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen([str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
            return process
        except OSError:
            assert time.time() < deadline and process.poll() is None, "chroma run did not come up"
            time.sleep(0.3)


def test_a_server_restart_mid_session_is_a_clear_error_then_works_again(tmp_path, free_port):
    port = free_port()
    server = start_chroma(tmp_path / "data", port)
    try:
        (tmp_path / "docs").mkdir()
        (tmp_path / "docs" / "a.txt").write_text("The Harrow lighthouse was automated in 1994 and still flashes twice.")
        assistant = Assistant(chroma_url=f"http://127.0.0.1:{port}", collection="restart")
        assistant.ingest([tmp_path / "docs"])
        assert "1994" in assistant.ask("When was the Harrow lighthouse automated?").answer

        server.kill()
        server.wait()
        started = time.time()
        with pytest.raises(StoreError, match="lost the Chroma server .* retry once it is back"):
            assistant.ask("When was the Harrow lighthouse automated?")
        assert time.time() - started < 30

        server = start_chroma(tmp_path / "data", port)
        answer = assistant.ask("When was the Harrow lighthouse automated?")  # the same assistant, no restart
        assert not answer.abstained and "1994" in answer.answer
        (tmp_path / "docs" / "b.txt").write_text("The Harrow pier is 300 metres long.")
        assert assistant.ingest([tmp_path / "docs"]).added == 1
    finally:
        server.kill()
        server.wait()


def test_the_http_api_answers_503_while_the_chroma_server_is_down(tmp_path, free_port):
    from rag.library import Library
    from rag.settings import Settings
    from ui.server import serve

    port = free_port()
    server = start_chroma(tmp_path / "data", port)
    chat = None
    try:
        settings = Settings(home=tmp_path / "home", chroma_url=f"http://127.0.0.1:{port}", llm="extractive")
        (tmp_path / "a.txt").write_text("The Harrow lighthouse was automated in 1994.")
        Assistant(settings=settings).ingest([tmp_path / "a.txt"])
        chat = serve(Library(settings), host="127.0.0.1", port=free_port(), block=False)
        ask = {"question": "When was the Harrow lighthouse automated?"}
        assert post_json(f"{chat.url.rstrip('/')}/api/ask", ask)[0] == 200
        server.kill()
        server.wait()
        status, body = post_json(f"{chat.url.rstrip('/')}/api/ask", ask)
        assert status == 503 and "lost the Chroma server" in body["error"]["message"]
        server = start_chroma(tmp_path / "data", port)
        status, body = post_json(f"{chat.url.rstrip('/')}/api/ask", ask)
        assert status == 200 and "1994" in body["answer"]
    finally:
        if chat:
            chat.close()
        server.kill()
        server.wait()


def post_json(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())

"""Server mode against a real `chroma run` on 127.0.0.1, started by the test."""

import sys
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

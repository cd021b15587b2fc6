"""kill -9 the ingestion at seven points (reading, embedding, inside a Chroma write, before the stale
chunks are deleted, at the revision bump, inside the BM25 save, between its renames); rerunning the
ingest must give exactly the clean index: the same chunk ids, no duplicates, the same retrieval."""

import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from index import ChunkStore
from index.bm25 import BM25Index
from rag import Assistant

ROOT = Path(__file__).resolve().parents[2]

# Runs the real `rag ingest` with one function wrapped to SIGKILL the process at the chosen call.
CRASHER = r"""
import os, signal, sys
point, corpus = sys.argv[1], sys.argv[2]
import chromadb.api.models.Collection as chroma_collection
import bm25s
import importlib
import index.bm25, index.embedder, index.store
from rag.cli import main

ingest_module = importlib.import_module("index.ingest")  # `index.ingest` is also the function's name
ingest_module.WRITE_BATCH = 16  # many write rounds, so a kill lands between them
calls = {}

def kill_on(name, nth, real, before=True, half_rows=False):
    def wrapped(*args, **kwargs):
        calls[name] = calls.get(name, 0) + 1
        if calls[name] == nth:
            if half_rows:  # a write cut off midway: half the rows reach Chroma
                keep = len(kwargs["ids"]) // 2
                real(*args, **{k: v[:keep] if k in ("ids", "documents", "metadatas", "embeddings") else v for k, v in kwargs.items()})
            elif not before:
                real(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return wrapped

if point == "reading":
    ingest_module.load_file = kill_on(point, 3, ingest_module.load_file)
elif point == "embedding":
    index.embedder.embed = kill_on(point, 2, index.embedder.embed)
elif point == "chroma-write":
    chroma_collection.Collection.upsert = kill_on(point, 2, chroma_collection.Collection.upsert, half_rows=True)
elif point == "stale-delete":
    chroma_collection.Collection.delete = kill_on(point, 1, chroma_collection.Collection.delete)
elif point == "revision":
    index.store.ChunkStore.bump_revision = kill_on(point, 2, index.store.ChunkStore.bump_revision)
elif point == "bm25-write":
    bm25s.BM25.save = kill_on(point, 1, bm25s.BM25.save, before=False)
elif point == "bm25-rename":
    index.bm25.os.replace = kill_on(point, 2, os.replace)
main(["ingest", corpus, "--quiet"])
print("NOT KILLED")
"""

POINTS = ["reading", "embedding", "chroma-write", "stale-delete", "revision", "bm25-write", "bm25-rename"]
QUESTIONS = ["How many cranes did the harbour at Velden buy?", "Who founded the observatory at Kell?",
             "What did the council of Ostra vote on?", "When did the ferry to Marrow island start?",
             "Which river floods the town of Brisk?"]
PLACES = ["Velden", "Kell", "Ostra", "Marrow", "Brisk", "Tarn", "Olm", "Quay"]


SYLLABLES = ["ka", "lo", "mi", "ter", "van", "dro", "sel", "pim", "ort", "bel", "nu", "gra"]
WORDS = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("n", "st", "x")]


def article(place: str, version: int) -> str:
    """Templated prose plus a sentence of words unique to each paragraph, so no two chunks score alike."""
    topics = ["harbour cranes", "observatory founders", "council votes", "ferry timetables", "river floods"]
    rng = random.Random(f"{place}-{version}")
    paragraphs = []
    for p in range(8):
        topic = topics[(p + len(place)) % len(topics)]
        paragraphs.append(
            f"In {place}, the story of the {topic} continued in part {p} (edition {version}). "
            f"Records from {1900 + 7 * p + len(place)} show {3 + p} notable events about the {topic} of {place}. "
            f"Residents of {place} recalled that the {topic} shaped daily life for {10 + p} years. " * 2
            + " ".join(rng.sample(WORDS, 15)) + "."
        )
    return f"{place} chronicle\n\n" + "\n\n".join(paragraphs)


def write_corpus(folder: Path, version: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    places = PLACES[:6] if version == 1 else PLACES
    for n, place in enumerate(places):
        edition = 2 if version == 2 and n in (1, 4) else 1  # v2: two documents edited, two added
        (folder / f"{place.lower()}.txt").write_text(article(place, edition))
    return folder


def snapshot(home: Path) -> dict:
    chunks = ChunkStore(home)
    got = chunks.collection.get(include=["metadatas"])
    assistant = Assistant(home=home)
    bm25 = assistant.retriever.bm25()
    return {
        "ids": sorted(got["ids"]),
        "pairs": Counter((m["doc_id"], m["chunk_index"]) for m in got["metadatas"]),
        "retrieval": [[p.id for p in assistant.retrieve(q, k=5)] for q in QUESTIONS],
        "bm25_ids": sorted(bm25.ids),
    }


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    base = tmp_path_factory.mktemp("crash")
    corpus = base / "corpus"  # one folder, first at v1 then at v2: document ids derive from the path
    v1_home, clean_home = base / "v1-home", base / "clean-home"
    assert Assistant(home=v1_home).ingest([write_corpus(corpus, 1)]).ok
    assert Assistant(home=clean_home).ingest([write_corpus(corpus, 2)]).ok
    return v1_home, corpus, snapshot(clean_home)


@pytest.mark.parametrize("point", POINTS)
def test_a_rerun_after_kill_9_gives_exactly_the_clean_index(point, corpora, tmp_path):
    v1_home, v2, clean = corpora
    home = tmp_path / "home"
    shutil.copytree(v1_home, home)  # an index of v1; the killed run is updating it to v2
    env = {**os.environ, "RAG_HOME": str(home), "PYTHONPATH": str(ROOT)}
    killed = subprocess.run([sys.executable, "-c", CRASHER, point, str(v2)], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9, killed.stdout + killed.stderr[-2000:]

    # the rerun in this process: the same ingest as `rag ingest`, without a second interpreter's start-up
    assert Assistant(home=home).ingest([v2]).ok

    after = snapshot(home)
    assert max(after["pairs"].values()) == 1, "a chunk is in the index twice"
    assert after["ids"] == clean["ids"]
    assert after["bm25_ids"] == after["ids"]
    assert after["retrieval"] == clean["retrieval"]

"""rag bench measures what it says it measures: the same chunks on every ingest path, real edits for
the re-ingest, collections of the asked size, and the promised JSON shape from the quick run."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from evals import bench
from index import ChunkStore

ROOT = Path(__file__).resolve().parents[2]


def write_corpus(folder: Path, files: int = 3) -> Path:
    folder.mkdir(parents=True)
    for n in range(files):
        paragraphs = [f"Report {n}, part {p}. The harbour of town {n} handled {1000 + 37 * p} ships in year {2000 + p}. "
                      "Officials said the new cranes doubled the pace of unloading." * 3 for p in range(6)]
        (folder / f"report-{n}.txt").write_text("\n\n".join(paragraphs))
    return folder


def collection_texts_and_vectors(home: Path, name: str) -> dict[str, np.ndarray]:
    got = ChunkStore(home, name).collection.get(include=["documents", "embeddings"])
    return {text: np.asarray(vector) for text, vector in zip(got["documents"], got["embeddings"])}


def test_llamaindex_path_ingests_our_exact_chunks_with_the_same_vectors(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    _, texts = bench.load_chunks([corpus])
    assert len(texts) > 3

    theirs = bench.ingest_llamaindex_nodes(texts, tmp_path / "li")
    ours = bench.ingest_ours(corpus, tmp_path / "ours")  # edits the corpus afterwards: compare the first ingest

    assert theirs["chunks"] == ours["chunks"] == len(texts)
    stored_theirs = collection_texts_and_vectors(tmp_path / "li", "bench-llamaindex")
    assert sorted(stored_theirs) == sorted(set(texts))
    from index import embedder

    for text, vector in stored_theirs.items():
        assert float(np.dot(vector, embedder.embed([text])[0])) > 0.999


def test_reingest_figures_come_from_real_runs(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", files=4)
    result = bench.ingest_ours(corpus, tmp_path / "home")
    assert result["reingest_unchanged_embedded"] == 0
    assert result["documents_changed"] == 1  # 1 % of 4 files rounds up to one file
    assert 0 < result["reingest_changed_embedded"] < result["chunks"]
    assert result["collection_count"] == result["chunks"]
    assert "This document was updated." in "".join(p.read_text() for p in corpus.iterdir())


def test_change_documents_edits_a_fraction_of_jsonl_records(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    rows = [{"doc_id": f"d{i}", "title": f"T{i}", "text": f"Text {i}."} for i in range(300)]
    (folder / "corpus.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert bench.change_documents(folder, 0.01) == 3
    after = [json.loads(line) for line in (folder / "corpus.jsonl").read_text().splitlines()]
    assert sum(a["text"] != r["text"] for a, r in zip(after, rows)) == 3
    assert [a["doc_id"] for a in after] == [r["doc_id"] for r in rows]


def test_replicate_makes_a_collection_of_exactly_the_asked_size(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    ingested = bench.ingest_ours(corpus, tmp_path / "home")
    rows = bench.read_rows(tmp_path / "home", "bench-ours")
    assert len(rows["ids"]) == ingested["collection_count"]

    size = 3 * len(rows["ids"]) + 5
    chunks = bench.replicate(rows, size, tmp_path / "retrieval")
    got = chunks.collection.get(include=["embeddings"])
    assert len(got["ids"]) == len(set(got["ids"])) == size
    vectors = np.asarray(got["embeddings"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
    assert len({v.tobytes() for v in vectors.astype(np.float32)}) == size  # copies are jittered, never identical
    from index import refresh_bm25

    assert len(refresh_bm25(chunks).ids) == size


def test_percentile_of_nothing_is_none():
    assert bench.percentile([], 50) is None
    assert bench.percentile([1, 2, 3, 4, 100], 50) == 3


def test_bad_sizes_are_refused_with_a_message(tmp_path):
    run = subprocess.run([sys.executable, "-m", "rag", "bench", "--quick", "--sizes", "0", "--home", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1
    assert "--sizes must be positive" in run.stderr


@pytest.mark.slow
def test_quick_bench_prints_the_promised_json_and_writes_a_report(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "rag", "bench", "--quick", "--json", "--home", str(tmp_path / "bench"),
         "--sizes", "150,400", "--queries", "8", "--questions", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout)
    ingest = result["ingest"]
    for key in ("ours_chunks_per_s", "llamaindex_chunks_per_s", "raw_embedder_chunks_per_s", "first_s"):
        assert ingest[key] > 0, key
    # the seed variants share their sentences, and each distinct sentence is embedded once
    assert ingest["sentences"] > 0 and 0 < ingest["ours_with_sentences_chunks_per_s"] < ingest["ours_chunks_per_s"]
    assert ingest["reingest_unchanged_s"] >= 0 and ingest["reingest_unchanged_embedded"] == 0
    assert ingest["llamaindex_chunks"] == ingest["chunks"]  # the same chunks went through both paths
    assert ingest["reingest_changed_embedded"] > 0
    for size in ("150", "400"):
        for mode in ("dense", "bm25", "hybrid"):
            figures = result["retrieval"][size][mode]
            assert 0 < figures["p50_ms"] <= figures["p95_ms"]
    extractive = result["answer"]["extractive"]
    assert extractive["ttft_ms_p50"] > 0 and extractive["total_ms_p50"] >= extractive["ttft_ms_p50"]
    assert extractive["datasets"]["seeds"]["questions"] == 3
    assert result["memory"]["ingest_peak_mb"] > 100 and result["memory"]["server_peak_mb"] > 100
    report = tmp_path / "bench" / "report"
    assert json.loads((report / "bench.json").read_text())["retrieval"].keys() == result["retrieval"].keys()
    assert "| groundrag ingest |" in (report / "bench.md").read_text()
    assert (report / "bench.png").read_bytes()[:4] == b"\x89PNG"

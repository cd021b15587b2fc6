"""`rag bench`: how fast groundrag ingests, retrieves and answers, beside the limits it is bound by.

Every ingest path runs in its own child process (after loading and warming the embedder there), so
each gets the same cold start and its peak memory is that process's own (`os.wait4`):
  ours            `index.ingest` into a fresh Chroma collection, then an unchanged re-ingest and a
                  re-ingest with 1 % of the documents edited;
  raw embedder    `SentenceTransformer.encode` on exactly our chunk texts, nothing else;
  llama-index     `VectorStoreIndex` over the same chunk texts (as TextNodes), HuggingFaceEmbedding
                  with its defaults, into Chroma: the same work through llama-index's default path;
                  and `VectorStoreIndex.from_documents` on the same documents with its own default
                  splitter (1024-token chunks, which MiniLM truncates to 256 wordpieces).
Retrieval latency is measured on collections of growing size made by replicating the ingested
chunks (vectors jittered, so no two are identical) - cheaper than embedding 100k chunks, and
latency depends on the count, not the prose. Answer latency comes from `timings_ms` of real asks;
the server's peak memory from /proc of a real `rag chat` process that has answered questions.
Times are medians of one run on one machine: compare the ratios, not the absolute numbers.
"""

from __future__ import annotations

import json
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

from .datasets import DEFAULT_BENCHMARKS, ROOT, load_dataset, read_jsonl

FULL_SIZES = (1000, 10000, 35000, 100000)
QUICK_SIZES = (300, 1000)
CHANGED_FRACTION = 0.01
MODES = ("dense", "bm25", "hybrid")


def percentile(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


# ---------------------------------------------------------------------------------------- corpus

def prepare_corpus(sources: list[Path], folder: Path) -> Path:
    """A private copy of the corpus (the bench edits documents in it)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for source in sources:
        target = folder / source.name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
        for path in [target, *target.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)  # seeds/ ships read-only; copies must be editable
    return folder


def synthetic_corpus(folder: Path, copies: int = 24) -> Path:
    """For --quick: the seed article in `copies` variants (paragraphs rotated, so every file differs)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    paragraphs = [p for p in (ROOT / "seeds").glob("*.txt").__next__().read_text().split("\n\n") if p.strip()]
    for n in range(copies):
        turn = n % len(paragraphs)
        body = paragraphs[turn:] + paragraphs[:turn]
        (folder / f"variant-{n:03d}.txt").write_text(f"Variant {n}\n\n" + "\n\n".join(body) + "\n")
    return folder


def change_documents(folder: Path, fraction: float, seed: int = 0) -> int:
    """Edit `fraction` of the documents under folder in place (at least one); returns how many."""
    from index.loaders import iter_files

    rng = random.Random(seed)
    changed = 0
    for path in iter_files(folder):
        if path.suffix == ".jsonl":
            rows = read_jsonl(path)
            picked = rng.sample(range(len(rows)), max(1, round(len(rows) * fraction))) if rows else []
            for i in picked:
                rows[i]["text"] = rows[i].get("text", "") + "\n\nThis article was updated."
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
            changed += len(picked)
    others = [p for p in iter_files(folder) if p.suffix in (".txt", ".md", ".markdown", ".html", ".htm")]
    if others:
        for path in rng.sample(others, max(1, round(len(others) * fraction))):
            path.write_text(path.read_text() + "\n\nThis document was updated.\n")
            changed += 1
    return changed


def load_chunks(paths: list[Path]) -> tuple[list, list[str]]:
    """Our documents and our chunk texts, exactly as `index.ingest` makes them."""
    from index.chunking import chunk_text
    from index.loaders import iter_files, load_file

    documents = []
    for root in paths:
        for path in iter_files(Path(root)):
            try:
                documents.extend(load_file(path)[0])
            except Exception:  # a file ours would skip is skipped here too
                continue
    return documents, [chunk.text for document in documents for chunk in chunk_text(document.text)]


# ---------------------------------------------------------------------------------------- ingest (children)

def _warm_embedder():
    from index import embedder
    from index.chunking import chunk_text

    embedder.embed(["warm up"])
    chunk_text("Warm up. The splitter loads its tokenizers once.")  # one-time loads are no one's throughput
    return embedder


def ingest_ours(corpus: Path, home: Path) -> dict:
    from index import ChunkStore, ingest
    from index.sentence_vectors import SentenceVectors

    _warm_embedder()
    chunks = ChunkStore(home, "bench-ours")
    started = time.perf_counter()
    first = ingest([corpus], chunks, progress=False, sentences=False)  # the chunk path, as the others do it
    first_s = time.perf_counter() - started
    started = time.perf_counter()  # then what `rag ingest` adds for answering: every sentence's vector
    sentences = SentenceVectors(chunks.sentence_vectors_file).refresh(chunks)
    sentences_s = time.perf_counter() - started
    started = time.perf_counter()
    again = ingest([corpus], chunks, progress=False)
    unchanged_s = time.perf_counter() - started
    changed = change_documents(corpus, CHANGED_FRACTION)
    started = time.perf_counter()
    edited = ingest([corpus], chunks, progress=False)
    changed_s = time.perf_counter() - started
    return {
        "chunks": first.chunks_embedded, "documents": first.documents, "first_s": first_s,
        "sentences": sentences, "sentences_s": sentences_s,
        "reingest_unchanged_s": unchanged_s, "reingest_unchanged_embedded": again.chunks_embedded,
        "documents_changed": changed, "reingest_changed_s": changed_s, "reingest_changed_embedded": edited.chunks_embedded,
        "collection_count": chunks.collection.count(),
    }


def embed_raw(texts: list[str], batch_size: int) -> dict:
    """The limit: the bare sentence-transformers call on the same texts, at our batch size and then at
    its default (one process for both: an interpreter's start-up outweighs a quick bench's embedding)."""
    import resource

    embedder = _warm_embedder()
    model = embedder.load_model()
    seconds = {}
    for name, options in (("seconds", {"batch_size": batch_size}), ("default_batch_seconds", {})):
        started = time.perf_counter()
        vectors = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False, **options)
        seconds[name] = time.perf_counter() - started
        if name == "seconds":  # the peak to set beside ours is at our batch size; the default's is larger
            peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return {"chunks": len(vectors), **seconds, "our_batch_peak_mb": peak_mb}


def _llamaindex_parts(home: Path, name: str):
    from llama_index.core import StorageContext
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from index import ChunkStore, embedder

    embed_model = HuggingFaceEmbedding(model_name=embedder.model_path(), device="cpu")
    embed_model.get_text_embedding("warm up")
    chunks = ChunkStore(home, name)
    context = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=chunks.collection))
    return embed_model, context, chunks


def ingest_llamaindex_nodes(texts: list[str], home: Path) -> dict:
    """llama-index's default indexing path over our exact chunk texts."""
    from llama_index.core import VectorStoreIndex
    from llama_index.core.schema import TextNode

    embed_model, context, chunks = _llamaindex_parts(home, "bench-llamaindex")
    started = time.perf_counter()
    VectorStoreIndex([TextNode(text=t) for t in texts], storage_context=context, embed_model=embed_model)
    return {"chunks": chunks.collection.count(), "seconds": time.perf_counter() - started}


def ingest_llamaindex_documents(corpus: Path, home: Path) -> dict:
    """`VectorStoreIndex.from_documents` on our documents, llama-index's splitter at its defaults."""
    from llama_index.core import Document, VectorStoreIndex

    documents, _ = load_chunks([corpus])
    embed_model, context, chunks = _llamaindex_parts(home, "bench-llamaindex-docs")
    started = time.perf_counter()
    VectorStoreIndex.from_documents([Document(text=d.text, id_=d.doc_id) for d in documents],
                                    storage_context=context, embed_model=embed_model)
    return {"chunks": chunks.collection.count(), "seconds": time.perf_counter() - started}


WORKERS = {"ours": ingest_ours, "raw": embed_raw, "llamaindex-nodes": ingest_llamaindex_nodes,
           "llamaindex-documents": ingest_llamaindex_documents}


def run_child(kind: str, **kwargs) -> dict:
    """One worker in a fresh Python; its result plus its own peak RSS in MB."""
    spec = json.dumps({"kind": kind, "kwargs": {k: str(v) if isinstance(v, Path) else v for k, v in kwargs.items()}})
    process = subprocess.Popen([sys.executable, "-m", "evals.bench", spec], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    output, errors = process.communicate()
    if process.returncode:
        raise RuntimeError(f"bench worker {kind} failed:\n{errors[-3000:]}")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_mb"] = result.pop("own_peak_mb")
    return result


def _worker_main(spec: str) -> None:
    import resource

    request = json.loads(spec)
    kwargs = {k: Path(v) if k in ("corpus", "home") else v for k, v in request["kwargs"].items()}
    if "texts_file" in kwargs:  # chunk texts travel by file: too big for a command line
        kwargs["texts"] = json.loads(Path(kwargs.pop("texts_file")).read_text())
    result = WORKERS[request["kind"]](**kwargs)
    result["own_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


def measure_ingest(corpus_sources: list[Path], work: Path, baseline: bool = True, progress=print) -> dict:
    from index import embedder

    corpus = prepare_corpus(corpus_sources, work / "corpus")
    documents, texts = load_chunks([corpus])
    megabytes = sum(len(d.text.encode()) for d in documents) / 1e6
    progress(f"ingest: {len(documents)} documents, {len(texts)} chunks, {megabytes:.1f} MB of text")
    texts_file = work / "chunks.json"
    texts_file.write_text(json.dumps(texts))
    homes = {name: work / f"home-{name}" for name in WORKERS}
    for home in homes.values():
        shutil.rmtree(home, ignore_errors=True)

    progress("ingest: ours")
    ours = run_child("ours", corpus=corpus, home=homes["ours"])
    progress("ingest: raw embedder (our batch size, then sentence-transformers' default)")
    raw = run_child("raw", texts_file=texts_file, batch_size=embedder.BATCH_SIZE)
    result = {
        "documents": len(documents), "chunks": ours["chunks"], "megabytes": round(megabytes, 2),
        "ours_chunks_per_s": round(ours["chunks"] / ours["first_s"], 1),
        "ours_mb_per_s": round(megabytes / ours["first_s"], 3),
        "raw_embedder_chunks_per_s": round(raw["chunks"] / raw["seconds"], 1),
        "raw_embedder_default_batch_chunks_per_s": round(raw["chunks"] / raw["default_batch_seconds"], 1),
        "first_s": round(ours["first_s"], 2),
        "sentences": ours["sentences"], "sentences_s": round(ours["sentences_s"], 2),
        "ours_with_sentences_chunks_per_s": round(ours["chunks"] / (ours["first_s"] + ours["sentences_s"]), 1),
        "reingest_unchanged_s": round(ours["reingest_unchanged_s"], 3),
        "reingest_unchanged_embedded": ours["reingest_unchanged_embedded"],
        "reingest_changed_s": round(ours["reingest_changed_s"], 2),
        "reingest_changed_documents": ours["documents_changed"],
        "reingest_changed_embedded": ours["reingest_changed_embedded"],
        "ours_peak_mb": ours["peak_mb"], "raw_peak_mb": raw["our_batch_peak_mb"],
        "home": str(homes["ours"]),
    }
    if baseline:
        progress("ingest: llama-index on the same chunks")
        nodes = run_child("llamaindex-nodes", texts_file=texts_file, home=homes["llamaindex-nodes"])
        progress("ingest: llama-index from_documents")
        docs = run_child("llamaindex-documents", corpus=corpus, home=homes["llamaindex-documents"])
        result.update({
            "llamaindex_chunks_per_s": round(nodes["chunks"] / nodes["seconds"], 1),
            "llamaindex_chunks": nodes["chunks"], "llamaindex_peak_mb": nodes["peak_mb"],
            "llamaindex_from_documents": {
                "chunks": docs["chunks"], "seconds": round(docs["seconds"], 2),
                "chunks_per_s": round(docs["chunks"] / docs["seconds"], 1),
                "mb_per_s": round(megabytes / docs["seconds"], 3), "peak_mb": docs["peak_mb"],
            },
        })
    result["ratios"] = ratios(result)
    return result


def ratios(ingest: dict) -> dict:
    out = {
        "ours_vs_raw_embedder": ingest["ours_chunks_per_s"] / ingest["raw_embedder_chunks_per_s"],
        "ours_vs_raw_embedder_default_batch": ingest["ours_chunks_per_s"] / ingest["raw_embedder_default_batch_chunks_per_s"],
        "reingest_unchanged_vs_first": ingest["reingest_unchanged_s"] / ingest["first_s"],
    }
    if "llamaindex_chunks_per_s" in ingest:
        out["ours_vs_llamaindex"] = ingest["ours_chunks_per_s"] / ingest["llamaindex_chunks_per_s"]
        out["ours_vs_llamaindex_from_documents_mb"] = ingest["ours_mb_per_s"] / ingest["llamaindex_from_documents"]["mb_per_s"]
    return {k: round(v, 3) for k, v in out.items()}


# ---------------------------------------------------------------------------------------- retrieval

def read_rows(home: Path, name: str) -> dict:
    from index import ChunkStore

    rows = ChunkStore(home, name).all_rows(["documents", "metadatas", "embeddings"])
    rows["embeddings"] = np.asarray(rows["embeddings"], dtype=np.float32)
    return rows


def replicate(rows: dict, size: int, home: Path, seed: int = 0):
    """A collection of exactly `size` chunks: the real ones, then copies with jittered vectors."""
    from index import ChunkStore, refresh_bm25

    name = f"bench-{size}"
    chunks = ChunkStore(home, name)
    if chunks.collection.count() == size:
        refresh_bm25(chunks)
        return chunks
    chunks.client.delete_collection(name)
    chunks = ChunkStore(home, name)
    rng = np.random.default_rng(seed)
    real = len(rows["ids"])
    for begin in range(0, size, chunks.max_batch):
        picks = range(begin, min(size, begin + chunks.max_batch))
        copy = [i // real for i in picks]
        source = [i % real for i in picks]
        vectors = rows["embeddings"][source]
        jitter = [c > 0 for c in copy]
        if any(jitter):
            noise = rng.normal(0, 0.02, size=vectors.shape).astype(np.float32) * np.asarray(jitter)[:, None]
            vectors = vectors + noise
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        chunks.collection.add(
            ids=[rows["ids"][s] + (f"~{c}" if c else "") for s, c in zip(source, copy)],
            documents=[rows["documents"][s] for s in source],
            metadatas=[{**rows["metadatas"][s], "doc_id": rows["metadatas"][s]["doc_id"] + (f"~{c}" if c else "")}
                       for s, c in zip(source, copy)],
            embeddings=vectors,
        )
    chunks.bump_revision()
    refresh_bm25(chunks)
    return chunks


def measure_retrieval(rows: dict, sizes: list[int], queries: list[str], home: Path, progress=print) -> dict:
    """p50/p95 per mode and size; each query is embedded afresh (the question cache is cleared)."""
    from index import embedder
    from rag.retrieval import HybridRetriever

    out = {}
    for size in sizes:
        started = time.perf_counter()
        chunks = replicate(rows, size, home)
        built_s = time.perf_counter() - started
        retriever = HybridRetriever(chunks)
        retriever.bm25()  # loaded once, as the server does, not per query
        for question in queries[:3]:
            retriever.retrieve(question, 5)
        entry = {"build_s": round(built_s, 1)}
        for mode in MODES:
            times = []
            for question in queries:
                embedder.embed_one.cache_clear()
                started = time.perf_counter()
                retriever.retrieve(question, 5, mode=mode)
                times.append((time.perf_counter() - started) * 1000)
            entry[mode] = {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "n": len(times)}
        embed_times = []
        for question in queries:
            started = time.perf_counter()
            embedder.embed([question])
            embed_times.append((time.perf_counter() - started) * 1000)
        entry["embed_query"] = {"p50_ms": percentile(embed_times, 50), "p95_ms": percentile(embed_times, 95)}
        out[str(size)] = entry
        progress(f"retrieval at {size:,} chunks: " + ", ".join(f"{m} p50 {entry[m]['p50_ms']} ms" for m in MODES))
    return out


# ---------------------------------------------------------------------------------------- answers and server

def measure_answers(backend: str, sets: dict[str, tuple[Path, list[dict]]], home: Path, limit: int,
                    progress=print) -> dict:
    """Per question set: time to first token, total and prompt tokens over its answerable questions."""
    from rag import Assistant

    out = {"datasets": {}}
    for name, (corpus, questions) in sets.items():
        assistant = Assistant(home=home, collection=f"bench-answers-{name}"[:60])
        assistant.ingest([corpus] if isinstance(corpus, Path) else corpus)
        asked = [q for q in questions if q["answerable"] and not q.get("history")][:limit]
        first, total, prompt, abstained = [], [], [], 0
        for question in asked:
            answer = assistant.ask(question["question"], llm=backend)
            timings = answer.timings_ms or {}
            total.append(timings.get("total", 0.0))
            first.append(timings.get("first_token", timings.get("total", 0.0)))
            if timings.get("prompt_tokens"):
                prompt.append(timings["prompt_tokens"])
            abstained += answer.abstained
        out["datasets"][name] = {
            "questions": len(asked), "abstained": abstained,
            "ttft_ms_p50": percentile(first, 50), "ttft_ms_p95": percentile(first, 95),
            "total_ms_p50": percentile(total, 50), "total_ms_p95": percentile(total, 95),
            "prompt_tokens_p50": percentile(prompt, 50),
        }
        progress(f"answers ({backend}, {name}): ttft p50 {out['datasets'][name]['ttft_ms_p50']} ms")
    first_set = next(iter(out["datasets"].values()))
    out.update({k: first_set[k] for k in ("ttft_ms_p50", "total_ms_p50", "prompt_tokens_p50")})
    return out


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def measure_server(backend: str, corpus: list[Path], questions: list[str], home: Path, timeout: float = 300) -> dict:
    """Peak RSS of a real `rag chat` (model loaded and warm) after it has answered the questions."""
    port = free_port()
    subprocess.run([sys.executable, "-m", "rag", "ingest", *map(str, corpus), "--home", str(home), "--quiet"],
                   cwd=ROOT, check=True, capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "rag", "chat", "--home", str(home), "--port", str(port), "--llm", backend],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/health", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"rag chat did not start: {server.stderr.read()[-2000:]}") from None
                time.sleep(0.5)
        for question in questions:
            request = urllib.request.Request(f"{base}/api/ask", data=json.dumps({"question": question}).encode(),
                                             headers={"Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=timeout).read()
        status = Path(f"/proc/{server.pid}/status").read_text()
        peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
        return {"backend": backend, "questions": len(questions), "server_peak_mb": round(peak_kb / 1024, 1)}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    _worker_main(sys.argv[1])

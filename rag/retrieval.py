"""Hybrid retrieval: dense (cosine over MiniLM vectors) and BM25 (bm25s), fused by reciprocal-rank
fusion.

The dense side is exact for collections up to `exact_limit` chunks: their vectors are read from Chroma
once per revision and scored with one matrix product (4,000 chunks: ~6 MB, read in about half a
second). Chroma's HNSW index is approximate, and a graph rebuilt after a restart or a killed ingest
can miss a neighbour the first one found (chroma-core/chroma#3638); a product that promises the same
answer from the same index can't have its passages depend on that. Larger collections use HNSW.

RRF needs no score calibration between the two sides, which is why it is the default fusion in most
hybrid systems. Every fused passage also gets its cosine similarity to the question (fetched for
BM25-only hits), because "is anything here relevant at all?" must be decided on a score with a
fixed scale, and RRF scores have none.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

import numpy as np

from index import ChunkStore, embedder, refresh_bm25
from index.bm25 import BM25Index
from index.sentence_vectors import SentenceVectors

from . import dates
from .settings import Settings
from .types import Passage


@dataclass
class Hit:
    chunk_id: str
    text: str
    metadata: dict
    similarity: float



@dataclass
class DenseVectors:
    """Every chunk's vector, in chunk-id order (so equal scores rank the same in every process)."""

    revision: str
    ids: list[str]
    doc_ids: np.ndarray
    matrix: np.ndarray  # (chunks, dimensions), unit rows

    @classmethod
    def load(cls, chunks: ChunkStore, revision: str) -> "DenseVectors":
        rows = chunks.all_rows(["embeddings"])
        order = sorted(range(len(rows["ids"])), key=rows["ids"].__getitem__)
        ids = [rows["ids"][i] for i in order]
        matrix = np.asarray([rows["embeddings"][i] for i in order], dtype=np.float32)
        return cls(revision, ids, np.array([cid.rsplit("#", 2)[0] for cid in ids], dtype=object), matrix)

    def nearest(self, query: np.ndarray, n: int, allowed: set[str] | None = None) -> list[str]:
        if not self.ids:
            return []
        scores = self.matrix @ query
        if allowed is not None:
            scores = np.where(np.isin(self.doc_ids, list(allowed)), scores, -np.inf)
        best = np.argsort(-scores, kind="stable")[:n]
        return [self.ids[i] for i in best if scores[i] > -np.inf]


OVERFETCH = 4  # a filtered HNSW search takes this many times the candidates, then keeps the allowed ones


class HybridRetriever:
    def __init__(self, chunks: ChunkStore, settings: Settings | None = None):
        settings = settings or Settings()
        self.chunks = chunks
        embedder.use_store(SentenceVectors(chunks.sentence_vectors_file))  # ranking its sentences embeds none
        self.candidates = settings.candidates
        self.rrf_k = settings.rrf_k
        self.exact_limit = settings.exact_search_limit
        self._bm25: BM25Index | None = None
        self._vectors: DenseVectors | None = None
        self._document_rows: tuple[str, list[dict]] | None = None
        self._lock = threading.Lock()

    def bm25(self, revision: str | None = None) -> BM25Index:
        """The BM25 index at the collection's current revision, kept in memory between queries."""
        with self._lock:
            self._bm25 = refresh_bm25(self.chunks, self._bm25, revision)
            return self._bm25

    def retrieve(self, question: str, k: int = 5, source: str | None = None, mode: str = "hybrid",
                 as_of: date | None = None) -> list[Passage]:
        """Top-k passages; `source` keeps only documents whose source (or doc_id) is it or lies under it,
        `as_of` only those published by that date, and undated ones; a question about "this week"
        only those of the two weeks before `as_of`, any other dated question all of them, with the two
        weeks' ranked a second time (dates.py)."""
        query = embedder.embed_one(question)
        revision = self.chunks.revision()  # read once: both sides then see the same collection state
        window = dates.window_start(question, as_of)
        allowed = self._allowed_doc_ids(source, as_of, revision, window)
        if allowed is not None and not allowed:
            return []
        rankings = self._rankings(question, query, allowed, revision, mode)
        if as_of is not None and window is None:
            # any other dated question: its last two weeks' news vote twice (dates.py)
            recent = self._allowed_doc_ids(source, as_of, revision, dates.recent_start(as_of))
            if recent and recent != allowed:
                rankings += self._rankings(question, query, recent, revision, mode)
        fused = self._fuse(rankings)
        top = fused[:k]
        hits = self._fetch([chunk_id for chunk_id, _ in top], query)
        return [self._passage(hits[chunk_id], score) for chunk_id, score in top if chunk_id in hits]

    def _rankings(self, question: str, query: np.ndarray, allowed: set[str] | None, revision: str,
                  mode: str) -> list[list[str]]:
        """Chunk ids ranked by each side the mode uses: dense, then BM25."""
        dense = self._dense(query, allowed, revision) if mode in ("hybrid", "dense") else []
        lexical = self._lexical(question, allowed, revision) if mode in ("hybrid", "bm25") else []
        return [dense, [chunk_id for chunk_id, _ in lexical]]

    def vectors(self, revision: str | None = None) -> DenseVectors | None:
        """The collection's vectors at its current revision, kept in memory; None above `exact_limit` chunks."""
        with self._lock:
            revision = revision or self.chunks.revision()
            if self._vectors is None or self._vectors.revision != revision:
                small = ChunkStore.chunk_count(revision) <= self.exact_limit
                self._vectors = DenseVectors.load(self.chunks, revision) if small else None
            return self._vectors

    def _dense(self, query: np.ndarray, allowed: set[str] | None, revision: str) -> list[str]:
        """Chunk ids, most similar first: exact while the collection is small enough, else Chroma's HNSW."""
        vectors = self.vectors(revision)
        if vectors is not None:
            return vectors.nearest(query, self.candidates, allowed)
        total = self.chunks.collection.count()
        if not total:
            return []
        if allowed is not None:
            # Chroma filters by a list of thousands of doc ids slowly (~0.3 s over 41k news chunks, where a
            # date leaves most documents in); the nearest few times over, filtered here, usually suffice
            nearest = self.chunks.collection.query(query_embeddings=[query], n_results=min(OVERFETCH * self.candidates, total),
                                                   include=["distances"])["ids"][0]
            kept = [chunk_id for chunk_id in nearest if chunk_id.rsplit("#", 2)[0] in allowed]
            if len(kept) >= self.candidates or len(nearest) == total:
                return kept[: self.candidates]
        where = {"doc_id": {"$in": sorted(allowed)}} if allowed is not None else None
        result = self.chunks.collection.query(
            query_embeddings=[query], n_results=min(self.candidates, total), where=where, include=["distances"],
        )
        return result["ids"][0]

    def _lexical(self, question: str, allowed: set[str] | None, revision: str) -> list[tuple[str, float]]:
        index = self.bm25(revision)
        allowed_chunks = None
        if allowed is not None:
            allowed_chunks = {cid for cid in index.ids if cid.rsplit("#", 2)[0] in allowed}
        return index.search(question, self.candidates, allowed_chunks)

    def _fuse(self, rankings: list[list[str]]) -> list[tuple[str, float]]:
        scores: dict[str, float] = {}
        for ranking in rankings:
            for rank, chunk_id in enumerate(ranking):
                scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))  # ties by id: order-independent

    def _fetch(self, chunk_ids: list[str], query: np.ndarray) -> dict[str, Hit]:
        if not chunk_ids:
            return {}
        rows = self.chunks.collection.get(ids=chunk_ids, include=["documents", "metadatas", "embeddings"])
        return {
            cid: Hit(cid, text, meta, float(np.dot(np.asarray(vector, dtype=np.float32), query)))
            for cid, text, meta, vector in zip(rows["ids"], rows["documents"], rows["metadatas"], rows["embeddings"])
        }

    def _allowed_doc_ids(self, source: str | None, as_of: date | None, revision: str,
                         since: date | None = None) -> set[str] | None:
        """The documents a question may draw on; `since` narrows them to a week's (dates.window_start)
        unless that would leave no dated document in."""
        if not source and as_of is None:
            return None
        prefix = (source or "").rstrip("/") + "/"
        documents = self._documents(revision)
        allowed = [
            meta for meta in documents
            if (not source or source in (meta["doc_id"], meta["source"], meta["path"])
                or meta["source"].startswith(prefix) or meta["path"].startswith(prefix))
            and dates.published_by(meta.get("published_at"), as_of)
        ]
        if since is not None:
            in_window = [meta for meta in allowed if dates.published_since(meta.get("published_at"), since)]
            if any(dates.published(meta.get("published_at")) for meta in in_window):
                allowed = in_window
        # a date that leaves every document in (an undated corpus) filters nothing, and costs nothing
        return None if len(allowed) == len(documents) else {meta["doc_id"] for meta in allowed}

    def _documents(self, revision: str) -> list[dict]:
        """Every document's metadata at this revision, kept in memory (a news corpus asks for it per question)."""
        with self._lock:
            if self._document_rows is None or self._document_rows[0] != revision:
                self._document_rows = (revision, self.chunks.documents())
            return self._document_rows[1]

    @staticmethod
    def _passage(hit: Hit, score: float) -> Passage:
        meta = hit.metadata
        return Passage(
            id=hit.chunk_id, doc_id=meta["doc_id"], source=meta["source"], title=meta.get("title", ""),
            text=hit.text, score=score, start=int(meta["start"]), end=int(meta["end"]), similarity=hit.similarity,
            titled=bool(meta.get("titled")), published=str(meta.get("published_at", "")),
        )

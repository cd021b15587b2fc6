"""Hybrid retrieval: dense (Chroma, cosine over MiniLM vectors) and BM25 (bm25s), fused by
reciprocal-rank fusion.

RRF needs no score calibration between the two sides, which is why it is the default fusion in most
hybrid systems. Every fused passage also gets its cosine similarity to the question (fetched for
BM25-only hits), because "is anything here relevant at all?" must be decided on a score with a
fixed scale, and RRF scores have none.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from index import ChunkStore, embedder, refresh_bm25
from index.bm25 import BM25Index

from .types import Passage


@dataclass
class Hit:
    chunk_id: str
    text: str
    metadata: dict
    similarity: float


class HybridRetriever:
    def __init__(self, chunks: ChunkStore, candidates: int = 30, rrf_k: int = 60):
        self.chunks = chunks
        self.candidates = candidates
        self.rrf_k = rrf_k
        self._bm25: BM25Index | None = None
        self._lock = threading.Lock()

    def bm25(self) -> BM25Index:
        """The BM25 index at the collection's current revision, kept in memory between queries."""
        with self._lock:
            self._bm25 = refresh_bm25(self.chunks, self._bm25)
            return self._bm25

    def retrieve(self, question: str, k: int = 5, source: str | None = None, mode: str = "hybrid") -> list[Passage]:
        """Top-k passages; `source` keeps only documents whose source (or doc_id) is it or lies under it."""
        query = embedder.embed_one(question)
        allowed = self._allowed_doc_ids(source)
        if allowed is not None and not allowed:
            return []
        dense = self._dense(query, allowed) if mode in ("hybrid", "dense") else {}
        lexical = self._lexical(question, allowed) if mode in ("hybrid", "bm25") else []
        fused = self._fuse([list(dense), [chunk_id for chunk_id, _ in lexical]])
        top = fused[:k]
        hits = dict(dense)
        missing = [chunk_id for chunk_id, _ in top if chunk_id not in hits]
        hits.update(self._fetch(missing, query))
        return [self._passage(hits[chunk_id], score) for chunk_id, score in top if chunk_id in hits]

    def _dense(self, query: np.ndarray, allowed: set[str] | None) -> dict[str, Hit]:
        total = self.chunks.collection.count()
        if not total:
            return {}
        where = {"doc_id": {"$in": sorted(allowed)}} if allowed is not None else None
        result = self.chunks.collection.query(
            query_embeddings=[query], n_results=min(self.candidates, total), where=where,
            include=["documents", "metadatas", "distances"],
        )
        rows = zip(result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0])
        return {cid: Hit(cid, text, meta, 1.0 - float(dist)) for cid, text, meta, dist in rows}

    def _lexical(self, question: str, allowed: set[str] | None) -> list[tuple[str, float]]:
        index = self.bm25()
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

    def _allowed_doc_ids(self, source: str | None) -> set[str] | None:
        if not source:
            return None
        prefix = source.rstrip("/") + "/"
        return {
            meta["doc_id"] for meta in self.chunks.documents()
            if source in (meta["doc_id"], meta["source"], meta["path"])
            or meta["source"].startswith(prefix) or meta["path"].startswith(prefix)
        }

    @staticmethod
    def _passage(hit: Hit, score: float) -> Passage:
        meta = hit.metadata
        return Passage(
            id=hit.chunk_id, doc_id=meta["doc_id"], source=meta["source"], title=meta.get("title", ""),
            text=hit.text, score=score, start=int(meta["start"]), end=int(meta["end"]), similarity=hit.similarity,
        )

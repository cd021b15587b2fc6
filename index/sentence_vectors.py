"""Every indexed sentence's vector, embedded once at ingest and kept in SQLite beside the collection.

Answering ranks the sentences of the retrieved passages by their similarity to the question. Embedding
them at question time cost ~0.3 s a news question (35 sentences at ~120 a second on two cores), all
of it before the first word; with the vectors stored, ranking takes 8 ms instead of 0.8 s (median of
30 realtimeqa-news questions, which also embedded each best sentence's pair then). The price is
paid at ingest: embedding the sentences takes ~1.35x as long as embedding the chunks (measured on the
same 300 news chunks), so ingest takes ~2.3x as long, and the store is large (realtimeqa-news-400:
32,036 sentences, 254 s, 71 MB). A corpus is ingested once and asked many times.

The store is content-addressed (a hash of the sentence's text -> its vector), so any store may answer
for any text and a lookup is never wrong, only sometimes missing; `embedder.embed_cached` consults every
store a process has opened before it embeds. Like the BM25 index it is derived data: `refresh` brings
it in step with the collection's chunks (embedding the sentences of new chunks, dropping those only
deleted chunks had), each batch in one transaction, so a killed run resumes where it stopped. Chroma
holds chunks only; a server's collections get one store per server and collection in the local home.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from . import embedder
from .sentences import SPLITTER_VERSION, sentence_spans

BATCH = 256  # chunks per embed + commit round
SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL);  -- rowid: 1.5 KB rows would overflow
CREATE TABLE IF NOT EXISTS refs (chunk_id TEXT NOT NULL, key BLOB NOT NULL, PRIMARY KEY (chunk_id, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS refs_by_key ON refs (key);
CREATE TABLE IF NOT EXISTS chunks (chunk_id TEXT PRIMARY KEY) WITHOUT ROWID;  -- chunks whose sentences are all in
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def chunk_sentences(text: str) -> list[str]:
    """The sentences of a chunk exactly as answering cuts them from the retrieved passage."""
    return [text[start:end] for start, end in sentence_spans(text)]


class SentenceVectors:
    def __init__(self, path: Path):
        self.path = Path(path)

    @contextmanager
    def _connect(self):
        """A connection for one transaction (committed unless it raises), then closed."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=60)
        try:
            connection.execute("PRAGMA journal_mode=WAL")  # readers (answering) never wait for an ingest
            connection.executescript(SCHEMA)
            with connection:
                yield connection
        finally:
            connection.close()

    def lookup(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those of `texts` the store holds."""
        if not texts or not self.path.exists():
            return {}
        by_key = {key(text): text for text in texts}
        found = {}
        with self._connect() as connection:
            keys = list(by_key)
            for begin in range(0, len(keys), 500):
                part = keys[begin : begin + 500]
                rows = connection.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part
                )
                found.update((by_key[k], np.frombuffer(v, dtype=np.float32).copy()) for k, v in rows)
        return found

    def covered(self) -> set[str]:
        with self._connect() as connection:
            return {row[0] for row in connection.execute("SELECT chunk_id FROM chunks")}

    def refresh(self, chunks, progress: bool = False) -> int:
        """Bring the store in step with the collection's chunks; returns how many sentences were embedded."""
        live = set(chunks.all_rows([])["ids"])
        self._resplit()
        covered = self.covered()
        self._forget(sorted(covered - live))
        new = sorted(live - covered)
        bar = _bar(progress, len(new))
        embedded = 0
        for begin in range(0, len(new), BATCH):
            rows = chunks.collection.get(ids=new[begin : begin + BATCH], include=["documents"])
            embedded += self._add(rows["ids"], rows["documents"])
            if bar is not None:
                bar.update(len(rows["ids"]))
        if bar is not None:
            bar.close()
        with self._connect() as connection:  # vectors of sentences no chunk has now (after a re-split)
            connection.execute("DELETE FROM vectors WHERE key NOT IN (SELECT key FROM refs)")
        return embedded

    def _resplit(self) -> None:
        """A store made by another sentence splitter: every chunk is split again at this refresh; the
        vectors of sentences that come out the same are kept (the store is content-addressed)."""
        with self._connect() as connection:
            row = connection.execute("SELECT value FROM meta WHERE name = 'splitter'").fetchone()
            if row and row[0] == SPLITTER_VERSION:
                return
            if row or connection.execute("SELECT 1 FROM chunks LIMIT 1").fetchone():
                connection.execute("DELETE FROM chunks")
                connection.execute("DELETE FROM refs")
            connection.execute("INSERT OR REPLACE INTO meta VALUES ('splitter', ?)", (SPLITTER_VERSION,))

    def _add(self, chunk_ids: list[str], texts: list[str]) -> int:
        sentences = {chunk_id: chunk_sentences(text or "") for chunk_id, text in zip(chunk_ids, texts)}
        unique = list(dict.fromkeys(s for found in sentences.values() for s in found))
        stored = self.lookup(unique)
        missing = [s for s in unique if s not in stored]
        vectors = embedder.embed(missing, batch_size=embedder.SENTENCE_BATCH_SIZE)
        with self._connect() as connection:  # one transaction: a chunk is marked only with all its sentences in
            connection.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?)",
                                   [(key(s), v.tobytes()) for s, v in zip(missing, vectors)])
            connection.executemany("INSERT OR IGNORE INTO refs VALUES (?, ?)",
                                   [(chunk_id, key(s)) for chunk_id, found in sentences.items() for s in found])
            connection.executemany("INSERT OR IGNORE INTO chunks VALUES (?)", [(chunk_id,) for chunk_id in sentences])
        return len(missing)

    def _forget(self, chunk_ids: list[str]) -> None:
        """Drop deleted chunks, and the vectors of sentences no remaining chunk has."""
        if not chunk_ids:
            return
        with self._connect() as connection:
            for begin in range(0, len(chunk_ids), 500):
                part = chunk_ids[begin : begin + 500]
                marks = ",".join("?" * len(part))
                connection.execute(f"DELETE FROM chunks WHERE chunk_id IN ({marks})", part)
                connection.execute(f"DELETE FROM refs WHERE chunk_id IN ({marks})", part)
            connection.execute("DELETE FROM vectors WHERE key NOT IN (SELECT key FROM refs)")


def _bar(progress: bool, total: int):
    if not progress or not total:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="embedding sentences", unit="chunk", file=sys.stderr, leave=False)

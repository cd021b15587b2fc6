"""Incremental ingestion: files -> documents -> chunks -> vectors -> Chroma (+ BM25).

What is already indexed is read back from Chroma itself (the first chunk of each document carries
the document's hashes), so a shared Chroma server needs no side database. A file whose bytes are
unchanged is not even parsed; a document whose text is unchanged is not re-embedded. New chunks are
upserted before a changed document's stale chunks are deleted, so a reader never finds a document
missing, and a rerun after a crash converges (chunk ids are derived from the content).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import bm25, embedder, store
from .chunking import CHUNKER_VERSION, chunk_text
from .loaders import SUPPORTED_SUFFIXES, Document, LoadError, file_sha256, iter_files, load_file

WRITE_BATCH = 1024  # chunks per embed+upsert round; bounds memory on large corpora


@dataclass
class IngestReport:
    documents: int = 0  # documents found in the given paths
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks_embedded: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    ignored: list[str] = field(default_factory=list)  # files of unsupported types inside folders

    @property
    def ok(self) -> bool:
        return not self.skipped

    def summary(self) -> str:
        line = (
            f"{self.documents} documents: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.removed} removed; {self.chunks_embedded} chunks embedded; "
            f"{len(self.skipped)} skipped"
        )
        if self.ignored:
            line += f"; {len(self.ignored)} files of unsupported types ignored"
        if self.documents and not self.chunks_embedded and not self.removed:
            line += " (index already up to date, nothing embedded)"
        return line


def content_hash(document: Document) -> str:
    return hashlib.sha256(f"{CHUNKER_VERSION}\n{document.title}\n{document.text}".encode()).hexdigest()


def ingest(paths: list[Path], chunks: store.ChunkStore, *, sync: bool = False, progress: bool = True) -> IngestReport:
    """Bring the collection in step with the files under `paths`; `sync` also drops vanished ones."""
    report = IngestReport()
    collection = chunks.collection
    indexed = {meta["doc_id"]: meta for meta in chunks.documents()}
    by_path: dict[str, list[str]] = {}
    for doc_id, meta in indexed.items():
        by_path.setdefault(meta["path"], []).append(doc_id)

    pending: list[tuple[Document, str, str]] = []  # (document, content hash, file hash)
    seen: set[str] = set()
    files = _collect_files(paths, report)
    for path in _progress(files, progress, "reading", "file"):
        try:
            file_hash = file_sha256(path)
        except OSError as error:
            report.skipped.append((str(path), f"can't read it ({error.strerror or error})"))
            continue
        known = by_path.get(str(path), [])
        if known and all(indexed[d].get("file_hash") == file_hash for d in known):
            seen.update(known)
            report.documents += len(known)
            report.unchanged += len(known)
            continue
        try:
            documents, problems = load_file(path)
        except LoadError as error:
            report.skipped.append((str(path), str(error)))
            continue
        except OSError as error:
            report.skipped.append((str(path), f"can't read it ({error.strerror or error})"))
            continue
        report.skipped.extend((str(path), problem) for problem in problems)
        for document in {d.doc_id: d for d in documents}.values():  # a repeated doc_id: the last wins
            seen.add(document.doc_id)
            report.documents += 1
            digest = content_hash(document)
            if indexed.get(document.doc_id, {}).get("content_hash") == digest:
                report.unchanged += 1
                if indexed[document.doc_id].get("file_hash") != file_hash:
                    _restamp_file_hash(collection, document.doc_id, file_hash)
                continue
            pending.append((document, digest, file_hash))
            if document.doc_id in indexed:
                report.updated += 1
            else:
                report.added += 1

    report.chunks_embedded = _write(chunks, pending, indexed, progress)
    if sync:
        report.removed = _remove_missing(chunks, paths, indexed, seen)
    if report.chunks_embedded or report.removed:
        chunks.bump_revision()
    refresh_bm25(chunks)
    return report


def _collect_files(paths: list[Path], report: IngestReport) -> list[Path]:
    files: list[Path] = []
    for root in paths:
        root = Path(root).resolve()
        if not root.exists():
            report.skipped.append((str(root), "no such file or folder"))
            continue
        for path in iter_files(root):
            if path.suffix.lower() in SUPPORTED_SUFFIXES or path == root:
                files.append(path.resolve())
            else:
                report.ignored.append(str(path))
    return list(dict.fromkeys(files))


def _write(chunks: store.ChunkStore, pending, indexed, progress: bool) -> int:
    """Chunk, embed and upsert the pending documents in bounded rounds; returns chunks written."""
    collection, rows = chunks.collection, []
    for document, digest, file_hash in pending:
        pieces = chunk_text(document.text)
        for chunk in pieces:
            meta = {
                "doc_id": document.doc_id, "source": document.source, "title": document.title,
                "path": document.path, "chunk_index": chunk.index, "start": chunk.start, "end": chunk.end,
                "content_hash": digest, **document.extra,
            }
            if chunk.index == 0:
                meta.update(file_hash=file_hash, chunk_count=len(pieces))
            rows.append((f"{document.doc_id}#{digest[:12]}#{chunk.index}", chunk.text, meta))
    bar = _bar(progress, len(rows), "embedding", "chunk")
    for begin in range(0, len(rows), WRITE_BATCH):
        batch = rows[begin : begin + WRITE_BATCH]
        vectors = embedder.embed([text for _, text, _ in batch])
        for i in range(0, len(batch), chunks.max_batch):
            part = batch[i : i + chunks.max_batch]
            collection.upsert(
                ids=[r[0] for r in part], documents=[r[1] for r in part], metadatas=[r[2] for r in part],
                embeddings=vectors[i : i + len(part)],
            )
        if bar is not None:
            bar.update(len(batch))
    if bar is not None:
        bar.close()
    for document, digest, _ in pending:  # only now drop what the new chunks replace
        if document.doc_id in indexed:
            collection.delete(where={"$and": [{"doc_id": document.doc_id}, {"content_hash": {"$ne": digest}}]})
    return len(rows)


def _restamp_file_hash(collection, doc_id: str, file_hash: str) -> None:
    """Same text, new bytes (e.g. a re-saved file): remember the new bytes so the next run skips parsing."""
    first = collection.get(where={"$and": [{"doc_id": doc_id}, {"chunk_index": 0}]}, include=["metadatas"])
    if first["ids"]:
        collection.update(ids=first["ids"], metadatas=[{**first["metadatas"][0], "file_hash": file_hash}])


def _remove_missing(chunks: store.ChunkStore, roots: list[Path], indexed: dict[str, dict], seen: set[str]) -> int:
    folders = [str(Path(r).resolve()) for r in roots if Path(r).resolve().is_dir()]
    gone = [
        doc_id for doc_id, meta in indexed.items()
        if doc_id not in seen and any(_is_under(meta["path"], folder) for folder in folders)
    ]
    chunks.delete_documents(gone)
    return len(gone)


def _is_under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def remove(chunks: store.ChunkStore, doc_ids: list[str]) -> int:
    """Drop documents from the collection (and so from BM25); returns how many were there."""
    present = {m["doc_id"] for m in chunks.documents()} & set(doc_ids)
    if present:
        chunks.delete_documents(sorted(present))
        chunks.bump_revision()
        refresh_bm25(chunks)
    return len(present)


def refresh_bm25(chunks: store.ChunkStore, current: bm25.BM25Index | None = None) -> bm25.BM25Index:
    """The BM25 index for the collection's current revision: `current` or the saved one if they
    match it, else rebuilt from the collection's texts and saved."""
    revision = chunks.revision()
    if current is not None and current.revision == revision:
        return current
    saved = bm25.BM25Index.load(chunks.bm25_folder)
    if saved is not None and saved.revision == revision:
        return saved
    ids, texts = chunks.all_texts()
    index = bm25.BM25Index.build(ids, texts, revision)
    index.save(chunks.bm25_folder)
    return index


def _bar(progress: bool, total: int, desc: str, unit: str):
    if not progress or not total:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)


def _progress(items, progress: bool, desc: str, unit: str):
    if not progress or len(items) < 2:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit=unit, file=sys.stderr, leave=False)

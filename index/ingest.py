"""Incremental ingestion: files -> documents -> chunks -> vectors -> Chroma (+ BM25).

What is already indexed is read back from Chroma itself (the first chunk of each document carries
the document's hashes), so a shared Chroma server needs no side database. A file whose bytes are
unchanged is not even parsed; a document whose text is unchanged is not re-embedded.

Crash safety without a journal: chunk ids derive from the content, so rewriting is idempotent; a
document's first chunk (its record of being indexed) is written only after all its other chunks,
so a killed run never leaves a document that looks complete but isn't; stale chunks (an old version,
or orphans of a killed run) are deleted after the new ones are in, so a reader never finds a document
missing; and the collection's revision is bumped before and after writing, so a BM25 index saved
before a crash is never mistaken for current. A rerun after kill -9 at any point converges to the
clean index.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import bm25, embedder, store
from .chunking import CHUNKER_VERSION, chunk_text
from .loaders import SUPPORTED_SUFFIXES, Document, LoadError, file_sha256, iter_files, load_file
from .sentence_vectors import SentenceVectors

# Bumped when the loaders make other documents of the same bytes ("titled-1": the titled flag; "layout-2":
# HTML inline tags, wrapped lines and PDF page furniture, `index/reflow.py`; "markdown-3": Markdown rendered,
# table rows as lines; "docx-4": DOCX rows whole, line breaks inside sentences; "front-matter-5": a
# Markdown file's front matter title; "main-and-heading-6": a page with a <main> read from there, a Markdown
# file's opening "# heading" its title). A file's
# stamp carries it, so the "bytes unchanged, skip the file" shortcut can't keep documents an older
# loader or chunker made; re-read, unchanged documents keep their content hash and embed nothing.
READER_VERSION = "main-and-heading-6"
MAX_FILE_MB = 64  # default cap per file; the realtimeqa-news corpus (a 36 MB .jsonl) fits
WRITE_BATCH = 1024  # chunks per embed+upsert round; bounds memory on large corpora


@dataclass
class IngestReport:
    documents: int = 0  # documents found in the given paths
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    removed_elsewhere: int = 0  # with `exclusive`: documents indexed from outside the given paths
    chunks_embedded: int = 0
    sentences_embedded: int = 0  # their sentences, stored for answering (an older index gets them all once)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    ignored: list[str] = field(default_factory=list)  # files of unsupported types inside folders

    @property
    def ok(self) -> bool:
        return not self.skipped

    def summary(self) -> str:
        line = (
            f"{self.documents} documents: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.removed} removed; {self.chunks_embedded} chunks embedded"
            + (f" ({self.sentences_embedded} sentences)" if self.sentences_embedded else "")
            + f"; {len(self.skipped)} skipped"
        )
        if self.ignored:
            line += f"; {len(self.ignored)} files of unsupported types ignored"
        if self.removed_elsewhere:
            line += f"; removed {self.removed_elsewhere} documents indexed from outside these paths"
        if self.documents and not (self.chunks_embedded or self.sentences_embedded or self.removed
                                   or self.removed_elsewhere):
            line += " (index already up to date, nothing embedded)"
        return line


def content_hash(document: Document) -> str:
    # "titled" joins the hash only when true, so documents without a given title keep the hashes they had
    titled = "\ntitled" if document.titled else ""
    return hashlib.sha256(f"{CHUNKER_VERSION}{titled}\n{document.title}\n{document.text}".encode()).hexdigest()


def file_stamp(path: Path) -> str:
    return f"{file_sha256(path)}:{READER_VERSION}:{CHUNKER_VERSION}"


def ingest(paths: list[Path], chunks: store.ChunkStore, *, sync: bool = False, exclusive: bool = False,
           progress: bool = True, max_file_mb: float = MAX_FILE_MB, sentences: bool = True) -> IngestReport:
    """Bring the collection in step with the files under `paths`; `sync` also drops vanished ones, and
    `exclusive` every document indexed from anywhere else (the collection becomes exactly these paths).
    Files over `max_file_mb` are skipped unread (a 100 MB text would take hours to embed here).
    `sentences=False` leaves the sentence vectors (sentence_vectors.py) to a later ingest or refresh."""
    with chunks.writing():
        return _ingest(paths, chunks, sync, exclusive, progress, max_file_mb, sentences)


def _ingest(paths: list[Path], chunks: store.ChunkStore, sync: bool, exclusive: bool, progress: bool,
            max_file_mb: float, sentences: bool) -> IngestReport:
    report = IngestReport()
    indexed: dict[str, dict] = {}
    versions: dict[str, set[str]] = {}  # doc_id -> content hashes of its first chunks (>1: a run was killed)
    for meta in chunks.documents():
        indexed[meta["doc_id"]] = meta
        versions.setdefault(meta["doc_id"], set()).add(meta.get("content_hash", ""))
    by_path: dict[str, list[str]] = {}
    for doc_id, meta in indexed.items():
        by_path.setdefault(meta["path"], []).append(doc_id)
    cleanup: list[tuple[str, str]] = []  # (doc_id, digest) of unchanged documents that still have stale chunks
    restamp: list[tuple[str, str]] = []  # (doc_id, new file hash) of unchanged documents in re-saved files

    pending: list[tuple[Document, str, str]] = []  # (document, content hash, file hash)
    seen: set[str] = set()
    files = _collect_files(paths, report)
    for path in _progress(files, progress, "reading", "file"):
        try:
            size_mb = path.stat().st_size / 2**20
            if size_mb > max_file_mb:
                report.skipped.append((str(path), f"too large ({size_mb:,.0f} MB; the limit is {max_file_mb:g} MB, "
                                                  "set RAG_MAX_FILE_MB to change it)"))
                continue
            file_hash = file_stamp(path)
        except OSError as error:
            report.skipped.append((str(path), f"can't read it ({error.strerror or error})"))
            continue
        known = by_path.get(str(path), [])
        if known and all(indexed[d].get("file_hash") == file_hash and len(versions[d]) == 1 for d in known):
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
            if digest in versions.get(document.doc_id, ()):
                report.unchanged += 1
                if len(versions[document.doc_id]) > 1:
                    cleanup.append((document.doc_id, digest))
                    continue
                if indexed[document.doc_id].get("file_hash") != file_hash:
                    restamp.append((document.doc_id, file_hash))
                continue
            pending.append((document, digest, file_hash))
            if document.doc_id in indexed:
                report.updated += 1
            else:
                report.added += 1

    _restamp_file_hashes(chunks.collection, restamp)
    gone = _missing(paths, indexed, seen) if sync or exclusive else []
    strangers = _outside(paths, indexed) if exclusive else []
    if pending or cleanup or gone or strangers:
        chunks.bump_revision()  # before writing: a BM25 index saved earlier can't match a half-written state
        report.chunks_embedded = _write(chunks, pending, progress)
        _drop_stale(chunks, [(document.doc_id, digest) for document, digest, _ in pending] + cleanup)
        chunks.delete_documents(gone + strangers)
        report.removed, report.removed_elsewhere = len(gone), len(strangers)
        chunks.bump_revision()
    refresh_bm25(chunks)
    if sentences:
        report.sentences_embedded = SentenceVectors(chunks.sentence_vectors_file).refresh(chunks, progress)
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


def _write(chunks: store.ChunkStore, pending, progress: bool) -> int:
    """Chunk, embed and upsert the pending documents in bounded rounds; returns chunks written.
    Every document's first chunk goes last: a document counts as indexed only once it all is."""
    collection, rows = chunks.collection, []
    for document, digest, file_hash in pending:
        pieces = chunk_text(document.text)
        for chunk in pieces:
            meta = {
                "doc_id": document.doc_id, "source": document.source, "title": document.title,
                "path": document.path, "chunk_index": chunk.index, "start": chunk.start, "end": chunk.end,
                "content_hash": digest, "titled": document.titled, **document.extra,
            }
            if chunk.index == 0:
                meta.update(file_hash=file_hash, chunk_count=len(pieces))
            rows.append((f"{document.doc_id}#{digest[:12]}#{chunk.index}", chunk.text, meta))
    rows.sort(key=lambda row: row[2]["chunk_index"] == 0)  # stable: the order within each group is kept
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
    return len(rows)


def _drop_stale(chunks: store.ChunkStore, current: list[tuple[str, str]]) -> None:
    """Delete the chunks of these documents that belong to any other version than the current one
    (content hashes are per document text, so "not among the current hashes" is exactly "stale")."""
    for begin in range(0, len(current), 500):
        part = current[begin : begin + 500]
        chunks.collection.delete(where={"$and": [
            {"doc_id": {"$in": [doc_id for doc_id, _ in part]}},
            {"content_hash": {"$nin": sorted({digest for _, digest in part})}},
        ]})


def _restamp_file_hashes(collection, stamps: list[tuple[str, str]]) -> None:
    """Same text, new bytes (a re-saved file, or one edited record of a .jsonl): remember the new
    bytes so the next run skips parsing. Batched: one edit to a corpus file restamps all its records."""
    for begin in range(0, len(stamps), 500):
        new_hash = dict(stamps[begin : begin + 500])
        firsts = collection.get(where={"$and": [{"doc_id": {"$in": list(new_hash)}}, {"chunk_index": 0}]},
                                include=["metadatas"])
        if firsts["ids"]:
            collection.update(ids=firsts["ids"], metadatas=[
                {**meta, "file_hash": new_hash[meta["doc_id"]]} for meta in firsts["metadatas"]
            ])


def _missing(roots: list[Path], indexed: dict[str, dict], seen: set[str]) -> list[str]:
    """Indexed documents that came from under these folders and are no longer there."""
    folders = [str(Path(r).resolve()) for r in roots if Path(r).resolve().is_dir()]
    return [
        doc_id for doc_id, meta in indexed.items()
        if doc_id not in seen and any(_is_under(meta["path"], folder) for folder in folders)
    ]


def _outside(roots: list[Path], indexed: dict[str, dict]) -> list[str]:
    """Indexed documents whose files lie under none of these files or folders."""
    places = [str(Path(r).resolve()) for r in roots]
    return [doc_id for doc_id, meta in indexed.items() if not any(_is_under(meta["path"], place) for place in places)]


def _is_under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def remove(chunks: store.ChunkStore, doc_ids: list[str]) -> int:
    """Drop documents from the collection (and so from BM25); returns how many were there."""
    with chunks.writing():
        return _remove(chunks, doc_ids)


def _remove(chunks: store.ChunkStore, doc_ids: list[str]) -> int:
    present = {m["doc_id"] for m in chunks.documents()} & set(doc_ids)
    if present:
        chunks.bump_revision()
        chunks.delete_documents(sorted(present))
        chunks.bump_revision()
        refresh_bm25(chunks)
        SentenceVectors(chunks.sentence_vectors_file).refresh(chunks)
    return len(present)


def refresh_bm25(
    chunks: store.ChunkStore, current: bm25.BM25Index | None = None, revision: str | None = None,
) -> bm25.BM25Index:
    """The BM25 index for the collection's current revision (or `revision`, just read by the caller):
    `current` or the saved one if they match it, else rebuilt from the collection's texts and saved."""
    revision = revision or chunks.revision()
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

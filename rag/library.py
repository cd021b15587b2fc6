"""The service behind the web chat and the HTTP API: one Assistant per collection, and uploads.

A server answers about several collections at once (the chat's picker, the API's `collection`
field), so assistants are created on first use and kept warm. Uploads are written under
`<home>/uploads/<collection>/` with names reduced to a safe base name, then ingested like any file;
ingests into one collection run one at a time so two uploads can't interleave their writes.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from index import IngestReport, list_collections
from index.loaders import SUPPORTED_SUFFIXES
from index.store import validate_collection_name

from .assistant import Assistant
from .settings import Settings


class UploadError(ValueError):
    """An uploaded file that is refused before ingestion; the message says why."""


@dataclass
class UploadReport:
    """What an upload did: the ingest report of the accepted files, and each refused file with its reason."""

    saved: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (name as sent, reason)
    ingest: IngestReport | None = None

    indexed: list[str] = field(default_factory=list)  # saved files that are in the index now

    @property
    def accepted(self) -> int:
        return len(self.indexed)

    def to_dict(self) -> dict:
        report = self.ingest or IngestReport()
        return {
            "accepted": self.accepted, "summary": report.summary(), "added": report.added,
            "updated": report.updated, "unchanged": report.unchanged, "chunks_embedded": report.chunks_embedded,
            "sentences_embedded": report.sentences_embedded,
            "rejected": [{"file": name, "reason": reason} for name, reason in self.rejected + self._skipped()],
        }

    def _skipped(self) -> list[tuple[str, str]]:
        return [(Path(path).name, reason) for path, reason in (self.ingest.skipped if self.ingest else [])]


def safe_upload_name(name: str) -> str:
    """The base name of an uploaded file, stripped of folders and odd characters; refuses what's left
    if it could still point outside the upload folder or has an unsupported type."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", str(name or "")))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    base = re.sub(r"[^\w.\- ]+", "_", base)[:120]
    if not base or base.startswith(".") or set(base) <= {".", " "}:
        raise UploadError(f"invalid file name {name!r}")
    suffix = Path(base).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadError(f"unsupported file type {suffix or '(none)'}; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    return base


class Library:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self._assistants: dict[str, Assistant] = {}
        self._lock = threading.Lock()
        self._ingest_locks: dict[str, threading.Lock] = {}

    @property
    def default(self) -> Assistant:
        return self.get(self.settings.collection)

    def get(self, collection: str | None = None) -> Assistant:
        name = validate_collection_name(collection or self.settings.collection)
        with self._lock:
            if name not in self._assistants:
                self._assistants[name] = Assistant(collection=name, settings=self.settings)
                self._ingest_locks[name] = threading.Lock()
            return self._assistants[name]

    def collections(self) -> list[str]:
        names = set(list_collections(self.settings.home, self.settings.chroma_url))
        return sorted(names | {self.settings.collection})

    def upload_folder(self, collection: str) -> Path:
        return Path(self.settings.home).resolve() / "uploads" / validate_collection_name(collection)

    def upload(self, files: list[tuple[str, bytes | Path]], collection: str | None = None, progress: bool = False) -> UploadReport:
        """Save each (name, content or temp path) under the collection's upload folder and ingest them."""
        assistant = self.get(collection)
        folder = self.upload_folder(assistant.settings.collection)
        report = UploadReport()
        limit = self.settings.max_upload_mb * 1024 * 1024
        paths = []
        for name, content in files:
            try:
                target = folder / safe_upload_name(name)
                size = len(content) if isinstance(content, bytes) else Path(content).stat().st_size
                if size > limit:
                    raise UploadError(f"{size / 1e6:.1f} MB is over the {self.settings.max_upload_mb} MB limit")
            except (UploadError, OSError) as error:
                report.rejected.append((Path(str(name)).name or str(name), str(error)))
                continue
            if target.resolve().parent != folder:  # belt and braces: the name was already reduced
                report.rejected.append((str(name), "invalid file name"))
                continue
            folder.mkdir(parents=True, exist_ok=True)
            data = content if isinstance(content, bytes) else Path(content).read_bytes()
            partial = target.with_name(f".{target.name}.part")
            partial.write_bytes(data)
            partial.replace(target)  # atomic: a reader never sees half a file
            paths.append(target)
            report.saved.append(target.name)
        if paths:
            with self._ingest_locks[assistant.settings.collection]:
                report.ingest = assistant.ingest(paths, progress=progress)
            in_index = {m.get("path") for m in assistant.documents()}
            report.indexed = [p.name for p in paths if str(p) in in_index]
            for path in paths:  # an upload nothing could be read from is not kept to fail again later
                if str(path) not in in_index:
                    path.unlink(missing_ok=True)
        return report

    def delete(self, doc_id: str, collection: str | None = None) -> bool:
        """Drop a document; an uploaded file goes too, so the next ingest of the folder can't bring it back."""
        assistant = self.get(collection)
        meta = next((m for m in assistant.documents() if m["doc_id"] == doc_id), None)
        if meta is None:
            return False
        with self._ingest_locks[assistant.settings.collection]:
            assistant.delete_documents([doc_id])
        path = Path(meta.get("path", ""))
        still_used = any(m.get("path") == str(path) for m in assistant.documents())  # other records of a .jsonl
        if path.parent == self.upload_folder(assistant.settings.collection) and path.is_file() and not still_used:
            path.unlink()
        return True

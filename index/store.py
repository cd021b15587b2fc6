"""Chroma, embedded (a PersistentClient under the home folder) or a server (an HttpClient).

Collections are created with no embedding function: we always pass our own vectors, and Chroma's
default function would try to download a model. Each collection carries a `revision` in its
metadata, changed on every write, so any process (several app instances may share one server) can
tell whether its BM25 index still matches the collection.

The embedded client keeps each collection's vector index in memory and never rereads it, so after
another process's ingest it would fail ("Error finding id") or answer from stale vectors, and its own
next write could persist a stale index over the other's. Chroma offers no refresh, so an embedded
store that sees a revision it did not write reopens the folder (`_EmbeddedFolder.catch_up`). For the
same reason two processes must not write at once (the second would persist its stale copy): an
ingest or removal holds the folder's lock file, and another waits for it (`ChunkStore.writing`).
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from contextlib import contextmanager, nullcontext
from pathlib import Path
from urllib.parse import urlparse

from . import offline  # noqa: F401

COLLECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$")
PAGE = 5000  # rows per get() when reading a whole collection back
RETRY_PAUSE_S = 1.5  # a Chroma server that dropped a request gets this long to come back before we give up
log = logging.getLogger(__name__)


class StoreError(Exception):
    """Chroma can't be reached or used; the message says what to do."""


class CollectionNameError(StoreError, ValueError):
    """A collection name Chroma would refuse: the caller's mistake, not the store's."""


def validate_collection_name(name: str) -> str:
    if not isinstance(name, str) or not COLLECTION_NAME.match(name) or ".." in name:
        raise CollectionNameError(
            f"invalid collection name {name!r}: use 3-63 letters, digits, '.', '_' or '-', "
            "starting and ending with a letter or digit"
        )
    return name


def connect(home: Path, chroma_url: str | None = None):
    import chromadb
    from chromadb.config import Settings

    if not chroma_url:
        return _EmbeddedFolder.of(home).client
    settings = Settings(anonymized_telemetry=False)
    host, port, ssl = parse_url(chroma_url)
    try:
        client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=settings)
        client.heartbeat()
    except Exception as error:
        raise StoreError(
            f"can't reach the Chroma server at {chroma_url} ({type(error).__name__}); is `chroma run` up?"
        ) from None
    return client


def list_collections(home: Path, chroma_url: str | None = None) -> list[str]:
    """Names of the collections in the embedded database or on the server, sorted."""
    client = connect(Path(home), chroma_url)
    return sorted(c if isinstance(c, str) else c.name for c in client.list_collections())


def parse_url(chroma_url: str) -> tuple[str, int, bool]:
    url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
    try:
        port = url.port
    except ValueError:
        port = None
        url = url._replace(netloc="")
    if not url.hostname or url.scheme not in ("http", "https"):
        raise StoreError(f"invalid Chroma URL {chroma_url!r}: expected http://host:port")
    return url.hostname, port or (443 if url.scheme == "https" else 8000), url.scheme == "https"


def _is_connection_error(error: Exception) -> bool:
    """The server went away (refused, reset, timed out), as opposed to a bad request."""
    import httpx

    return isinstance(error, (httpx.TransportError, ConnectionError)) or (
        isinstance(error, OSError) and not isinstance(error, FileNotFoundError)
    )


class _ServerGuard:
    """A Chroma client or collection whose calls, when the server is unreachable, are retried once
    after a pause (a restart takes a moment) and then fail as a StoreError that says what happened."""

    def __init__(self, target, chroma_url: str, pause: float = RETRY_PAUSE_S):
        self._target, self._url, self._pause = target, chroma_url, pause

    def __getattr__(self, name):
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            except Exception as error:
                if not _is_connection_error(error):
                    raise
            time.sleep(self._pause)
            try:
                return attribute(*args, **kwargs)
            except Exception as error:
                if not _is_connection_error(error):
                    raise
                raise StoreError(
                    f"lost the Chroma server at {self._url} ({type(error).__name__}); retry once it is back "
                    "(an interrupted ingest resumes where it stopped)"
                ) from None

        return call


def _revision_of(collection) -> str:
    """The revision a collection is at: its `revision` stamp and its count (see ChunkStore.revision)."""
    return f"{(collection.metadata or {}).get('revision', '')}:{collection.count()}"


@contextmanager
def _file_lock(path: Path, waiting: str = ""):
    """An exclusive lock on `path` between processes (flock: released when the process dies, too)."""
    import fcntl

    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting:
                log.warning(waiting)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


class _EmbeddedFolder:
    """The one embedded client this process keeps per folder, and the revisions it has seen there.

    A revision this process wrote or has caught up with is known; any other was written by another
    process, and the client is replaced by a fresh one that reads the folder again."""

    _folders: dict[Path, "_EmbeddedFolder"] = {}
    _folders_lock = threading.Lock()

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.RLock()
        self.generation = 0  # how many times the client was reopened; stores compare theirs to it
        self.known: dict[str, str] = {}  # collection name -> the revision this process last saw
        self._write_guard = threading.RLock()  # threads of this process; the lock file holds off other processes
        self._writing = False
        self._retired = None  # the system the last reopen replaced
        self.client = self._open(reopen=False)

    @classmethod
    def of(cls, home: Path) -> "_EmbeddedFolder":
        path = (Path(home) / "chroma").resolve()
        with cls._folders_lock:
            if path not in cls._folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                cls._folders[path] = cls(path)
            return cls._folders[path]

    def _open(self, reopen: bool = True):
        import chromadb
        from chromadb.api.shared_system_client import SharedSystemClient
        from chromadb.config import Settings

        if reopen:  # Chroma caches one system per folder; dropping it from the cache is the only way to reread
            if self._retired is not None:  # stopped one reopen late: another thread may have been mid-call on it
                self._retired.stop()  # (never stopped, each kept ~1.5 MB: 60 reopens, +100 MB)
            self._retired = SharedSystemClient._identifier_to_system.pop(str(self.path), None)
        with self.opening():
            return chromadb.PersistentClient(path=str(self.path), settings=Settings(anonymized_telemetry=False))

    def catch_up(self, *names: str) -> dict[str, str]:
        """Reopen the folder if a collection among `names` has changed since this process looked, and
        not by this process's own ingest (while it holds the write lock no other process can write).
        Returns their revisions as read ("" for one that doesn't exist)."""
        with self.lock:
            fresh = {name: self.revision_tag(name) for name in names}
            stale = any(name in self.known and self.known[name] != tag for name, tag in fresh.items())
            if stale and not self._writing:
                self.client = self._open(reopen=True)
                self.generation += 1
            self.known.update(fresh)
            return fresh

    def opening(self):
        """Held while a client or a collection is created: two processes creating a folder's tables at
        once race ("table collections already exists")."""
        return _file_lock(self.path.parent / "chroma.open.lock")

    @contextmanager
    def writing(self, name: str):
        """Hold the folder's write lock (re-entrant in this process), waiting for another process's,
        and start from what the last writer left."""
        with self._write_guard:
            if self._writing:  # an ingest's removal, say: this thread holds the lock already
                yield
                return
            with _file_lock(self.path.parent / "chroma.write.lock",
                            waiting=f"another process is writing to {self.path}; waiting for it to finish"):
                self.catch_up(name, *self.known)  # every collection: readers won't reopen while we write
                self._writing = True
                try:
                    yield
                finally:
                    self._writing = False
                    self.catch_up(name)  # our own writes become known before anyone else may write

    def revision_tag(self, name: str) -> str:
        """The revision, with its count (a write cut off before its closing bump moves only the count)."""
        try:  # the catalogue and the count are SQLite, read fresh even by a client whose vectors are stale
            return _revision_of(self.client.get_collection(name, embedding_function=None))
        except Exception:
            return ""  # not created yet (or deleted): nothing stale to reread


class ChunkStore:
    """One Chroma collection of chunks, with the few operations the product needs."""

    def __init__(self, home: Path, name: str = "default", chroma_url: str | None = None):
        self.home = Path(home)
        self.name = validate_collection_name(name)
        self.chroma_url = chroma_url
        self._folder = None if chroma_url else _EmbeddedFolder.of(self.home)
        self._open()
        self.catch_up()  # the folder may be open here already, since before another process wrote

    def _open(self) -> None:
        if self._folder:
            self._generation = self._folder.generation
            self._client = self._folder.client
        else:
            self._client = _ServerGuard(connect(self.home, self.chroma_url), self.chroma_url)
        with self._folder.opening() if self._folder else nullcontext():
            self._collection = self._client.get_or_create_collection(
                self.name, embedding_function=None, metadata={"hnsw:space": "cosine", "revision": "empty"}
            )
        if self.chroma_url:
            self._collection = _ServerGuard(self._collection, self.chroma_url)

    def catch_up(self) -> None:
        """Reread the embedded folder if another process has written this collection (a server needs nothing)."""
        if self._folder:
            self._folder.catch_up(self.name)

    @contextmanager
    def writing(self):
        """Around every ingest or removal: embedded, no other process writes meanwhile, and this one
        starts from what the last writer left; a server orders writes itself."""
        if not self._folder:
            yield
            return
        with self._folder.writing(self.name):
            yield

    @property
    def client(self):
        if self._folder and self._generation != self._folder.generation:
            self._open()
        return self._client

    @property
    def collection(self):
        if self._folder and self._generation != self._folder.generation:
            self._open()
        return self._collection

    @property
    def bm25_folder(self) -> Path:
        """Where this collection's BM25 index lives: beside the embedded index, or a per-server cache."""
        if not self.chroma_url:
            return self.home / "bm25" / self.name
        host, port, _ = parse_url(self.chroma_url)
        return self.home / "bm25-servers" / f"{host}_{port}" / self.name

    @property
    def sentence_vectors_file(self) -> Path:
        """Where the vectors of this collection's sentences live (see sentence_vectors.py), like bm25_folder."""
        if not self.chroma_url:
            return self.home / "sentences" / f"{self.name}.sqlite"
        host, port, _ = parse_url(self.chroma_url)
        return self.home / "sentences-servers" / f"{host}_{port}" / f"{self.name}.sqlite"

    def revision(self) -> str:
        """The collection's current revision, read fresh (another process may have written: caught up)."""
        if self._folder and (tag := self._folder.catch_up(self.name)[self.name]):
            return tag
        return _revision_of(self.client.get_collection(self.name, embedding_function=None))

    @staticmethod
    def chunk_count(revision: str) -> int:
        """How many chunks the collection held at `revision` (a revision names its count)."""
        return int(revision.rsplit(":", 1)[1])

    def bump_revision(self) -> None:
        metadata = {k: v for k, v in (self.collection.metadata or {}).items() if not k.startswith("hnsw:")}
        metadata["revision"] = uuid.uuid4().hex
        self.collection.modify(metadata=metadata)

    def all_rows(self, include: list[str]) -> dict[str, list]:
        """The whole collection, read back page by page: {"ids": [...], and a list per included field}."""
        rows: dict[str, list] = {key: [] for key in ["ids", *include]}
        for offset in range(0, self.collection.count(), PAGE):
            page = self.collection.get(include=include, limit=PAGE, offset=offset)
            for key in rows:
                rows[key].extend(page[key])
        return rows

    def all_texts(self) -> tuple[list[str], list[str]]:
        rows = self.all_rows(["documents"])
        return rows["ids"], rows["documents"]

    def documents(self) -> list[dict]:
        """One metadata row per document (its first chunk's), sorted by title."""
        rows = self.collection.get(where={"chunk_index": 0}, include=["metadatas"])["metadatas"]
        return sorted(rows, key=lambda m: (m.get("title", ""), m["doc_id"]))

    def delete_documents(self, doc_ids: list[str]) -> None:
        for begin in range(0, len(doc_ids), 500):
            self.collection.delete(where={"doc_id": {"$in": doc_ids[begin : begin + 500]}})

    @property
    def max_batch(self) -> int:
        return min(self.client.get_max_batch_size(), 4096)

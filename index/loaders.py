"""Files into plain-text documents: txt, md, html, pdf, docx and jsonl corpora.

PDF goes through llama-index's reader (pypdf), its pages then lose their running heads and page
numbers (`pdf_pages.py`). DOCX, text, Markdown and HTML are read here because we need the
document's exact text (offsets into it are what citations point at) and a title; llama-index's
MarkdownReader splits into sections and keeps the markup, and its DocxReader gives each table cell
alone, which we don't want. HTML is read block by block (`html_text.py`), Markdown rendered and then
read so (`markdown_text.py`), a DOCX's body paragraph by paragraph and row by row (`docx_text.py`),
and lines of plain text wrapped at a fixed width are joined (`reflow.py`), because a line break
ends a sentence.
Every failure becomes a LoadError with a one-line reason, never a crash of the whole ingest.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .docx_text import docx_paragraphs
from .html_text import html_paragraphs
from .markdown_text import markdown_text
from .pdf_pages import pdf_text
from .reflow import unwrap

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".jsonl"}
MAX_TITLE_CHARS = 200


class LoadError(Exception):
    """A file that can't be ingested; str(error) is the one-line reason."""


@dataclass
class Document:
    doc_id: str
    text: str
    title: str
    source: str  # what a reader is shown: the file path, or the URL of a corpus record
    path: str  # absolute path of the file the document came from (for --sync and change checks)
    extra: dict = field(default_factory=dict)  # url, published_at from jsonl corpora
    titled: bool = False  # the source named it (jsonl title, html <title>); else the title is the first line or file name


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_doc_id(path: Path) -> str:
    """Readable, URL-safe and unique per absolute path: `<slug of the name>-<8 hex of the path>`."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", path.stem).strip("-").lower()[:60] or "doc"
    return f"{slug}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"


def iter_files(root: Path) -> Iterator[Path]:
    """Every file under root (or root itself), sorted, skipping hidden folders and symlink loops."""
    if root.is_file():
        yield root
        return
    seen_dirs: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        stat = os.stat(dirpath)
        if (stat.st_dev, stat.st_ino) in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add((stat.st_dev, stat.st_ino))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def load_file(path: Path) -> tuple[list[Document], list[str]]:
    """Documents in one file, and one-line problems with parts of it (bad jsonl lines).

    Raises LoadError when nothing in the file can be used.
    """
    path = path.resolve()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"unsupported file type {suffix or '(none)'}")
    if suffix == ".jsonl":
        return _load_jsonl(path)
    reader = {".pdf": _read_pdf, ".docx": _read_docx, ".html": _read_html, ".htm": _read_html,
              ".md": _read_markdown, ".markdown": _read_markdown}
    text, title = reader.get(suffix, _read_text)(path)
    text = _require_text(text)
    if suffix not in reader:  # plain text, often wrapped at a fixed width
        text = unwrap(text)
    return [Document(file_doc_id(path), text, title or _title_from(text, path), str(path), str(path),
                     titled=bool(title))], []


def _require_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\x00", "")
    if not text.strip():
        raise LoadError("no text in it (empty, or a scanned document without a text layer)")
    return text


def _decode(raw: bytes, declared: str | None = None) -> str:
    """UTF-8, or else the charset the file declares (an HTML page's `<meta charset>`); never a guess."""
    if b"\x00" in raw[:8192]:
        raise LoadError("binary content, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problem = f"not UTF-8 text (undecodable byte at offset {error.start})"
    if declared:
        try:
            return raw.decode(declared)
        except (LookupError, UnicodeDecodeError):
            problem += f", nor the {declared} it declares"
    raise LoadError(problem)


def _read_text(path: Path) -> tuple[str, str]:
    text = _decode(path.read_bytes())
    return text, ""


def _read_markdown(path: Path) -> tuple[str, str]:
    return markdown_text(_decode(path.read_bytes()))


def _title_from(text: str, path: Path) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= MAX_TITLE_CHARS else path.stem
    return path.stem


def _read_html(path: Path) -> tuple[str, str]:
    from bs4.dammit import EncodingDetector

    raw = path.read_bytes()  # an older page in Latin-1 declares it: `<meta charset="iso-8859-1">`
    paragraphs, title = html_paragraphs(_decode(raw, EncodingDetector.find_declared_encoding(raw, is_html=True)))
    return "\n\n".join(paragraphs), title


def _read_pdf(path: Path) -> tuple[str, str]:
    try:
        pages = _file_readers().PDFReader().load_data(path)
    except Exception as error:  # pypdf raises many types for damaged files
        raise LoadError(f"unreadable PDF ({type(error).__name__}: {_short(error)})") from None
    return pdf_text([page.text for page in pages]), ""


def _read_docx(path: Path) -> tuple[str, str]:
    try:
        paragraphs = docx_paragraphs(path)
    except Exception as error:  # python-docx raises zip, package and XML errors for damaged files
        raise LoadError(f"unreadable DOCX ({type(error).__name__}: {_short(error)})") from None
    return "\n\n".join(paragraphs), ""


def _file_readers():
    """llama-index's file readers. Importing them calls `logging.basicConfig(level=INFO)` (its slides
    reader does), which printed every library's log lines under `rag ingest`; the root logger is put back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    import llama_index.readers.file as readers

    root.handlers[:] = handlers
    root.setLevel(level)
    return readers


def _load_jsonl(path: Path) -> tuple[list[Document], list[str]]:
    documents, problems = [], []
    for number, line in enumerate(_decode(path.read_bytes()).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"] if isinstance(record, dict) else None
            if not isinstance(text, str) or not text.strip():
                raise ValueError("no non-empty 'text' field")
        except (ValueError, KeyError) as error:
            problems.append(f"{path.name}:{number}: {_short(error)}")
            continue
        doc_id = str(record.get("doc_id") or f"{file_doc_id(path)}-{number}")
        url = record.get("url") or ""
        extra = {key: str(record[key]) for key in ("url", "published_at") if record.get(key)}
        given = " ".join(str(record.get("title") or "").split())
        text = unwrap(text.replace("\r\n", "\n"))
        documents.append(Document(doc_id, text, given or _title_from(text, path),
                                  url or f"{path}#L{number}", str(path), extra, titled=bool(given)))
    if not documents:
        raise LoadError("no usable records: " + ("; ".join(problems[:3]) or "the file is empty"))
    return documents, problems


def _short(error: BaseException, limit: int = 120) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"

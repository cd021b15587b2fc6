"""Question sets: the project's own seed set (shipped in this package) and, later, the benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

SEED_QUESTIONS = Path(__file__).with_name("seed_questions.jsonl")


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def seed_questions() -> list[dict]:
    """Questions about the seed article: `answerable`, gold `answers` and the exact `evidence` text."""
    return read_jsonl(SEED_QUESTIONS)

"""Grounding evals: question sets, metrics, judges, the harness behind `rag eval`, and reports."""

from .datasets import Dataset, DatasetError, load_dataset, read_jsonl, seed_questions

__all__ = ["Dataset", "DatasetError", "load_dataset", "read_jsonl", "seed_questions"]

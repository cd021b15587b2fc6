"""Grounding evals: question sets and (in later work) the harness that scores answers against them."""

from .datasets import read_jsonl, seed_questions

__all__ = ["read_jsonl", "seed_questions"]

"""Answers about your documents, every sentence cited and checked against its source.

    from rag import Assistant
    assistant = Assistant(home=".rag")           # embedded Chroma under .rag/
    assistant.ingest(["seeds/"])
    answer = assistant.ask("Who is Huawei's CEO?")
    print(answer.answer, answer.to_dict()["citations"])
"""

import index  # noqa: F401  (first: applies the offline switches)

from .assistant import Assistant, QuestionError
from .settings import Settings
from .types import ABSTAIN_TEXT, Answer, Citation, Passage, Sentence

__all__ = ["ABSTAIN_TEXT", "Answer", "Assistant", "Citation", "Passage", "QuestionError", "Sentence", "Settings"]

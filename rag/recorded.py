"""A model whose replies are recorded once and replayed: the same prompt gets the same reply, unrun.

Evals measure a change to the checks on the same drafts. The 1.5B model takes ~5 s an answer on
2 cores and decodes greedily, so a recorded reply is exactly what it would write again; replaying it
costs a millisecond, and a change to retrieval or the prompt simply misses the record and runs the
model. The record is a JSON-lines file (one call a line, keyed by the model, the call and the
prompt), appended as calls are made, so an interrupted run loses nothing. Times of replayed answers
are not real; `replayed` says how many calls were.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Callable, Iterator

from .llm import LLM, Messages


class RecordedLLM(LLM):
    def __init__(self, load: Callable[[], LLM], path: Path, identity: str):
        self._load, self._model = load, None
        self.name, self.path, self.identity = f"recorded {identity}", Path(path), identity
        self.replayed = self.run = 0
        self._lock = threading.Lock()
        self._replies = _read(self.path)
        self._fresh = not self._replies

    @property
    def model(self) -> LLM:
        if self._model is None:  # a full replay never loads the model
            self._model = self._load()
        return self._model

    def stream(self, messages: Messages, max_tokens: int, context: str = "answer") -> Iterator[str]:
        key = self._key("stream", messages, max_tokens)
        if key in self._replies:
            self.replayed += 1
            yield self._replies[key]
            return
        pieces = []
        for piece in self.model.stream(messages, max_tokens, context):
            pieces.append(piece)
            yield piece
        self._record(key, "".join(pieces))  # only a reply read to its end is recorded

    def warm_up(self, openings: dict[str, Messages]) -> None:
        # a new record's every reply is run, so its times are real and the model warms as it would
        # unrecorded; one with replies in it is replayed, and replaying never loads the model
        if self._fresh:
            self.model.warm_up(openings)

    def count_tokens(self, messages: Messages) -> int | None:
        return self._recall("tokens", messages, lambda: self.model.count_tokens(messages)
                            or getattr(self.model, "last_prompt_tokens", None))

    def yes_probability(self, messages: Messages) -> float | None:
        return self._recall("yes", messages, lambda: self.model.yes_probability(messages))

    def draft_confidence(self, messages: Messages, reply: str) -> float | None:
        said = [*messages, {"role": "assistant", "content": reply}]
        return self._recall("confidence", said, lambda: self.model.draft_confidence(messages, reply))

    def _recall(self, call: str, messages: Messages, compute: Callable[[], object]):
        key = self._key(call, messages)
        if key in self._replies:
            self.replayed += 1
            return self._replies[key]
        value = compute()
        self._record(key, value)
        return value

    def _key(self, call: str, messages: Messages, max_tokens: int | None = None) -> str:
        payload = json.dumps([self.identity, call, max_tokens, messages], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    def _record(self, key: str, value) -> None:
        with self._lock:
            self.run += 1
            self._replies[key] = value
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"key": key, "reply": value}, ensure_ascii=False) + "\n")


def _read(path: Path) -> dict:
    replies = {}
    if not path.exists():
        return replies
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
            replies[entry["key"]] = entry["reply"]
        except (ValueError, KeyError, TypeError):
            # every record ends with a newline: a last line without one is a killed run's, anything else is not ours
            if number < len(lines) or text.endswith("\n"):
                raise ValueError(f"{path}:{number} is not a recorded model reply") from None
            path.write_text("".join(f"{kept}\n" for kept in lines[:-1]), encoding="utf-8")
    return replies

"""Answer generators behind one small interface: the bundled local GGUF, or any OpenAI-compatible server.

`stream(messages)` yields text pieces; `count_tokens(messages)` tells how big the prompt was. We
call llama-cpp-python and the `openai` client directly rather than through llama-index's LLM
wrappers: we need token streaming, the prompt's token count and a per-call token cap, and both
libraries give exactly that in a few lines; llama.cpp also hands each step's logits to a logits
processor, which is how a local draft's least sure word is read as it is written (`least_sure`); an
OpenAI-compatible server is asked to stream each chosen token's log-probability for the same reading.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import warnings
from collections import OrderedDict
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterator

from .models import DEFAULT_MODEL, MODELS, ModelError, bundled_model_path

Messages = list[dict]

_cache: dict[tuple, "LLM"] = {}
_cache_lock = threading.Lock()


class LLMError(RuntimeError):
    """The generator failed or can't be reached; the message says what to do."""


class LLM:
    name = "llm"

    def stream(self, messages: Messages, max_tokens: int, context: str = "answer") -> Iterator[str]:
        """`context` names the kind of prompt; a local model keeps one cache per kind (see LocalLLM)."""
        raise NotImplementedError

    def complete(self, messages: Messages, max_tokens: int, context: str = "answer") -> str:
        return "".join(self.stream(messages, max_tokens, context))

    def count_tokens(self, messages: Messages) -> int | None:
        return None

    def yes_probability(self, messages: Messages) -> float | None:
        """P(the reply starts with yes | it starts with yes or no); None when the backend can't tell."""
        return None

    def draft_confidence(self, messages: Messages, reply: str) -> float | None:
        """The lowest probability the model gave a word of `reply` to `messages` (see `least_sure`);
        None when the backend can't tell."""
        return None

    def warm_up(self, openings: dict[str, Messages]) -> None:
        """Get ready for the first question, given each kind of prompt's fixed opening messages."""


class LocalLLM(LLM):
    """A GGUF model run in-process by llama.cpp; one generation at a time (its contexts share the cores)."""

    name = "local"

    def __init__(self, model_path: Path, n_ctx: int = 4096, threads: int | None = None):
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ModelError("llama-cpp-python is not installed: `pip install llama-cpp-python`, "
                             "or choose --llm extractive") from None
        if not Path(model_path).is_file():
            raise ModelError(f"no model file at {model_path}")
        self.model_path = Path(model_path)
        self.threads = threads or os.cpu_count() or 2
        import llama_cpp

        notice = amx_notice(llama_cpp.llama_print_system_info().decode(errors="ignore"))
        if notice:
            warnings.warn(notice, RuntimeWarning, stacklevel=2)
        self.llama = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=self.threads, n_batch=512, verbose=False)
        self.lock = threading.Lock()  # one model call at a time: all contexts share the cores
        self._drafts = _RecentDrafts()  # read by draft_confidence

    def stream(self, messages: Messages, max_tokens: int, context: str = "answer") -> Iterator[str]:
        steps: list[tuple[int, float]] = []
        said: list[str] = []
        with self.lock:
            pieces = self._context(context).create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=0.0, top_k=1, stream=True,
                logits_processor=[_ChosenProbability(steps)],
            )
            for piece in pieces:
                text = piece["choices"][0]["delta"].get("content")
                if text:
                    said.append(text)
                    yield text
        self._drafts.remember(messages, "".join(said), steps)  # token ids: read as text only if asked

    def draft_confidence(self, messages: Messages, reply: str) -> float:
        """Read while the reply was generated; a reply replayed from a record is read again (one prompt
        pass, then one pass a reply token)."""
        steps = self._drafts.steps_of(messages, reply)
        return least_sure(self._texts(steps if steps is not None else self._forced_steps(messages, reply)))

    def _texts(self, steps: list[tuple[int, float]]) -> list[tuple[str, float]]:
        return [(self.llama.detokenize([token]).decode(errors="ignore"), log_p) for token, log_p in steps]

    def _forced_steps(self, messages: Messages, reply: str) -> list[tuple[int, float]]:
        import numpy as np
        from llama_cpp import llama_get_logits_ith

        prompt, said = self._prompt_tokens(messages), self.llama.tokenize(reply.encode(), add_bos=False)
        with self.lock:
            llama = self._context("answer")
            _evaluate(llama, prompt)
            steps = []
            for token in said:
                logits = np.ctypeslib.as_array(llama_get_logits_ith(llama.ctx, -1), shape=(llama.n_vocab(),))
                steps.append((token, _log_softmax_at(logits, token)))
                llama.eval([token])
        return steps

    def count_tokens(self, messages: Messages) -> int:
        return len(self._prompt_tokens(messages))

    def warm_up(self, openings: dict[str, Messages]) -> None:
        """Evaluate each kind of prompt's fixed opening in its context, as if a question had just been answered.

        Otherwise the first question pays for paging the weights in and for its opening (137 tokens
        of the answer prompt, ~2.7 s here) on top of its own prompt; later ones find both cached.
        """
        with self.lock:
            for context, messages in openings.items():
                llama = self._context(context)
                llama.reset()
                llama.eval(self._prompt_tokens(messages))

    def yes_probability(self, messages: Messages) -> float:
        """Read from the logits of the first reply token: one prompt pass, no sampling."""
        import numpy as np
        from llama_cpp import llama_get_logits_ith

        tokens = self._prompt_tokens(messages)
        with self.lock:
            judge = self._context("judge")
            if len(tokens) >= judge.n_ctx():
                return None
            _evaluate(judge, tokens)
            logits = np.ctypeslib.as_array(llama_get_logits_ith(judge.ctx, -1), shape=(judge.n_vocab(),))
            yes, no = (np.logaddexp.reduce(logits[ids]) for ids in self._yes_no_ids)
        return float(1.0 / (1.0 + np.exp(no - yes)))

    def _context(self, kind: str):
        """The answer context, or for every other kind of prompt a second one on the same model file.

        A judge or follow-up prompt in the answer context would evict the cached answer opening, and
        vice versa. A context is not cheap, though: llama.cpp repacks the weights for this CPU into
        each one (~700 MB more memory for the bundled 1.5B), so the other kinds share the second,
        where the judge's opening, read on every answer, is what usually stays cached.
        """
        if kind == "answer":
            return self.llama
        return self._side_llama

    @cached_property
    def _side_llama(self):
        from llama_cpp import Llama

        return Llama(model_path=str(self.model_path), n_ctx=self.llama.n_ctx(), n_threads=self.threads,
                     n_batch=512, verbose=False)

    @cached_property
    def _yes_no_ids(self) -> tuple[list[int], list[int]]:
        def first_tokens(variants):
            return sorted({self.llama.tokenize(v.encode(), add_bos=False)[0] for v in variants})
        return first_tokens(["yes", "Yes", "YES", " yes", " Yes"]), first_tokens(["no", "No", "NO", " no", " No"])

    def _prompt_tokens(self, messages: Messages) -> list[int]:
        """The prompt as the model's own chat template renders it (ChatML when the GGUF has none)."""
        formatter = self._formatter
        if formatter:
            text = formatter(messages=messages).prompt
        else:
            text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
            text += "<|im_start|>assistant\n"
        return self.llama.tokenize(text.encode(), add_bos=False, special=True)

    @cached_property
    def _formatter(self):
        template = self.llama.metadata.get("tokenizer.chat_template")
        if not template:
            return None
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        def token_text(token_id: int) -> str:
            return self.llama.detokenize([token_id], special=True).decode(errors="ignore") if token_id != -1 else ""

        return Jinja2ChatFormatter(template, token_text(self.llama.token_eos()), token_text(self.llama.token_bos()))


def _evaluate(llama, tokens: list[int]) -> None:
    """Evaluate a prompt in a context, keeping what its KV cache already holds of it (a fixed opening);
    at least the last token is evaluated again, as its logits are what the caller reads."""
    cached = llama.input_ids[: llama.n_tokens].tolist()
    llama.n_tokens = min(llama.longest_token_prefix(cached, tokens), len(tokens) - 1)
    llama.eval(tokens[llama.n_tokens:])


def least_sure(steps: list[tuple[str, float]]) -> float:
    """The lowest probability among a reply's word tokens (citation markers, stops and spaces aside).

    With greedy decoding each token is the model's top choice; a top choice of 0.2 means the model
    hesitated between several words. Replayed over the same drafts, a draft holding such a word was
    a wrong answer or an answered unanswerable question far more often than a right one (README,
    session 27)."""
    words = [log_p for piece, log_p in steps if not _NO_WORD.fullmatch(piece)]
    return math.exp(min(words)) if words else 1.0


_NO_WORD = re.compile(r"\s*\[?\d*\]?\.?\s*")


class _ChosenProbability:
    """A llama.cpp logits processor that notes each step's top token and its log-probability."""

    def __init__(self, steps: list[tuple[int, float]]):
        self.steps = steps

    def __call__(self, input_ids, scores):
        import numpy as np

        best = int(np.argmax(scores))
        self.steps.append((best, _log_softmax_at(scores, best)))
        return scores


def _log_softmax_at(logits, index: int) -> float:
    import numpy as np

    top = float(np.max(logits))
    return float(logits[index]) - top - math.log(float(np.sum(np.exp(logits - top))))


def amx_notice(system_info: str) -> str | None:
    """A warning when llama.cpp was built with its AMX kernels, which can crash the process outright.

    A segmentation fault prints nothing useful, so the way out is said before the first prompt.
    """
    if "AMX_INT8 = 1" not in system_info:
        return None
    return ("llama-cpp-python was built with llama.cpp's AMX kernels, which crash on some CPUs with this "
            "model's Q4_K_M weights (ggml-org/llama.cpp#20824). If the process dies with a segmentation "
            "fault, rebuild it without them: CMAKE_ARGS='-DCMAKE_C_FLAGS=-mno-amx-int8 "
            "-DCMAKE_CXX_FLAGS=-mno-amx-int8' pip install --force-reinstall --no-cache-dir --no-deps "
            "llama-cpp-python (`make setup` builds it that way).")


class OpenAILLM(LLM):
    """Any server that speaks the OpenAI chat-completions API (OpenAI, vLLM, Ollama, llama.cpp server)."""

    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 120.0):
        from openai import OpenAI

        if not base_url:
            raise LLMError("the openai backend needs a base URL (--openai-base-url or RAG_OPENAI_BASE_URL)")
        self.client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=1)
        self.model = model
        self.base_url = base_url
        self.last_prompt_tokens: int | None = None
        self.gives_logprobs = True  # until the server refuses them
        self._drafts = _RecentDrafts()  # read by draft_confidence

    def stream(self, messages: Messages, max_tokens: int, context: str = "answer") -> Iterator[str]:
        import openai

        steps: list[tuple[str, float]] = []
        said: list[str] = []
        pieces = 0
        try:
            for piece in self._create_stream(messages, max_tokens):
                pieces += 1
                if getattr(piece, "usage", None):
                    self.last_prompt_tokens = piece.usage.prompt_tokens
                if not piece.choices:
                    continue
                choice = piece.choices[0]
                if choice.logprobs and choice.logprobs.content:
                    steps.extend((t.token, t.logprob) for t in choice.logprobs.content)
                if choice.delta.content:
                    said.append(choice.delta.content)
                    yield choice.delta.content
        except openai.APIConnectionError:
            raise LLMError(f"can't reach the OpenAI-compatible server at {self.base_url}") from None
        except openai.APIStatusError as error:
            raise LLMError(f"the server at {self.base_url} answered {error.status_code}: {error.message}") from None
        if not pieces:
            # even an empty reply streams a role and a finish reason; llama-cpp-python's server sends
            # nothing at all when the prompt overflows its context, after a 200 (it says 400 unstreamed)
            raise LLMError(f"the server at {self.base_url} ended the reply without sending anything; llama.cpp's "
                           "server does this when the prompt is longer than its context (start it with a larger --n_ctx)")
        if steps:
            self._drafts.remember(messages, "".join(said), steps)

    def _create_stream(self, messages: Messages, max_tokens: int):
        """Greedy, with each chosen token's log-probability when the server gives them (llama.cpp's
        server sends none unless top_logprobs is set); a server that refuses them is asked without."""
        import openai

        request = dict(model=self.model, messages=messages, max_tokens=max_tokens, temperature=0.0, stream=True)
        if self.gives_logprobs:
            try:
                return self.client.chat.completions.create(**request, logprobs=True, top_logprobs=1)
            except openai.BadRequestError:
                pieces = self.client.chat.completions.create(**request)  # a 400 for another reason comes again
                self.gives_logprobs = False
                return pieces
        return self.client.chat.completions.create(**request)

    def draft_confidence(self, messages: Messages, reply: str) -> float | None:
        """Read from the log-probabilities the server streamed with this reply; None for a reply it
        didn't write here (a replayed one: a chat API can't be asked to read a given reply) or when
        the server gives no log-probabilities."""
        steps = self._drafts.steps_of(messages, reply)
        return least_sure(steps) if steps else None

    def yes_probability(self, messages: Messages) -> float | None:
        """From the first token's top log-probabilities when the server gives them, else from the reply's word."""
        import openai

        try:
            try:
                reply = self.client.chat.completions.create(
                    model=self.model, messages=messages, max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=10)
            except openai.BadRequestError:  # servers that don't do logprobs (llama.cpp's without logits_all)
                reply = self.client.chat.completions.create(
                    model=self.model, messages=messages, max_tokens=2, temperature=0.0)
        except openai.OpenAIError:
            return None  # a second opinion that can't be had is no reason to fail the answer
        choice = reply.choices[0]
        candidates = choice.logprobs.content[0].top_logprobs if choice.logprobs and choice.logprobs.content else []
        yes = sum(math.exp(c.logprob) for c in candidates if c.token.strip().lower() == "yes")
        no = sum(math.exp(c.logprob) for c in candidates if c.token.strip().lower() == "no")
        if yes + no > 0:
            return yes / (yes + no)
        word = (choice.message.content or "").strip().lower()
        return 1.0 if word.startswith("yes") else 0.0 if word.startswith("no") else None


class _RecentDrafts:
    """The last few replies and each chosen token's (token, log-probability), by prompt: its text from
    a server, its id from llama.cpp (detokenized only for a draft whose doubt is read).

    Keyed by prompt rather than kept as "the last one": a streamed answer may be read on another
    thread than the one that asked (Starlette runs a sync generator in a thread pool), and another
    question's draft may be written in between.
    """

    def __init__(self, size: int = 32):
        self.size = size
        self._drafts: OrderedDict[str, tuple[str, list[tuple]]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, messages: Messages, reply: str, steps: list[tuple]) -> None:
        with self._lock:
            self._drafts[_messages_key(messages)] = (reply, steps)
            while len(self._drafts) > self.size:
                self._drafts.popitem(last=False)

    def steps_of(self, messages: Messages, reply: str) -> list[tuple] | None:
        """The steps of `reply` to `messages` if it was written here, else None."""
        with self._lock:
            said, steps = self._drafts.get(_messages_key(messages), (None, None))
        return steps if said == reply else None

    def clear(self) -> None:
        with self._lock:
            self._drafts.clear()


def _messages_key(messages: Messages) -> str:
    return json.dumps(messages, sort_keys=True, ensure_ascii=False)


def load_llm(backend: str, settings) -> LLM:
    """The generator for a backend, created once per process and settings (recorded when `llm_record` is set)."""
    if getattr(settings, "llm_record", None):
        from .recorded import RecordedLLM

        real = settings.model_copy(update={"llm_record": None})
        identity = _identity(backend, real)
        key = ("recorded", str(settings.llm_record), identity)  # another model in the same process gets its own replies
        with _cache_lock:
            if key not in _cache:
                _cache[key] = RecordedLLM(lambda: load_llm(backend, real), settings.llm_record, identity)
            return _cache[key]
    if backend == "local":
        key = ("local", settings.model or DEFAULT_MODEL)
    elif backend == "openai":
        key = ("openai", settings.openai_base_url, settings.openai_model, settings.openai_api_key)
    else:
        raise ValueError(f"{backend!r} is not an LLM backend")
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _create(backend, settings)
        return _cache[key]


def _identity(backend: str, settings) -> str:
    """Which model answers: a recorded reply is only replayed for the same one."""
    if backend == "openai":
        return f"openai {settings.openai_base_url} {settings.openai_model}"
    return f"local {settings.model or DEFAULT_MODEL}"


def _create(backend: str, settings) -> LLM:
    if backend == "openai":
        return OpenAILLM(settings.openai_base_url, settings.openai_model, settings.openai_api_key)
    model = settings.model or DEFAULT_MODEL
    path = bundled_model_path(model, settings.model_cache) if model in MODELS else Path(model)
    return LocalLLM(path, n_ctx=settings.context_tokens)


@lru_cache(maxsize=1)
def local_available() -> bool:
    """Whether the default local backend can run here (llama-cpp-python and the bundled parts installed).

    Asked on every question when the backend is `auto`; what is installed doesn't change under a running process.
    """
    try:
        import importlib.util

        if importlib.util.find_spec("llama_cpp") is None:
            return False
        from .models import part_paths

        part_paths(MODELS[DEFAULT_MODEL])
        return True
    except ModelError:
        return False

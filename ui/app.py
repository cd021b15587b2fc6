"""The web chat (Gradio): answers through `rag.Assistant`, with each answer's sources under it.

Gradio's ChatInterface gives the chat, the queue and an API endpoint (`/chat`, used by
`gradio_client`) for free; the product only renders answers. Nothing listens beyond 127.0.0.1
unless the caller asks for another host.
"""

from __future__ import annotations

import html

import index  # noqa: F401  (offline switches before gradio is imported)
from rag.assistant import Assistant, QuestionError
from rag.types import Answer

EXAMPLES = [
    "Where did Huawei move its US investments?",
    "How many Huawei affiliates were added to the economic blacklist?",
    "Who is Huawei's CFO?",
]
CONCURRENCY = 2  # two cores: more parallel answers only queue inside torch


def render(answer: Answer) -> str:
    """Markdown for one answer: the cited text, then its sources with the quoted evidence."""
    if answer.abstained:
        lines = [f"*{answer.answer}*"]
        if not answer.passages:  # a refusal, or an empty collection
            return lines[0]
        if answer.passages:
            lines.append("\n**Closest passages** (not enough to answer):")
            closest = {p.doc_id: p for p in reversed(answer.passages)}  # best passage per document
            for passage in sorted(closest.values(), key=lambda p: -p.score)[:3]:
                lines.append(f"- {_md(passage.title)} — `{passage.source}`: “{_md(passage.text)[:200]}…”")
        return "\n".join(lines)
    body = []
    for sentence in answer.sentences:
        if sentence.supported:
            body.append(f"{_md(sentence.text)} [{', '.join(map(str, sentence.citations))}]")
        else:
            body.append(f"*⚠ {_md(sentence.text)} (not supported by the documents)*")
    lines = [" ".join(body), "", "**Sources**"]
    for citation in answer.citations:
        lines.append(f"{citation.n}. {_md(citation.title)} — `{citation.source}` (characters {citation.start}–{citation.end})")
        lines.append(f"   > {_md(citation.quote)}")
    return "\n".join(lines)


def _md(text: str) -> str:
    return html.escape(" ".join(text.split()), quote=False)


def build_app(assistant: Assistant):
    import gradio as gr

    def respond(message: str, history: list):
        """Streams the model's draft as it is written, then replaces it with the checked answer."""
        draft = ""
        try:
            for item in assistant.ask_stream(message, history=history):
                if isinstance(item, Answer):
                    yield render(item)
                else:
                    draft += item
                    yield f"{_md(draft)}\n\n*checking every sentence against the documents…*"
        except QuestionError as error:
            yield f"*Please ask a question: {error}.*"

    return gr.ChatInterface(
        respond,
        title="Ask your documents",
        description=f"Answers come only from the collection **{assistant.settings.collection}**, "
        "every sentence cited to the passage that holds it.",
        examples=EXAMPLES,
        cache_examples=False,
        api_name="chat",
    )


def serve(assistant: Assistant, host: str = "127.0.0.1", port: int = 7860, block: bool = True):
    app = build_app(assistant)
    app.queue(default_concurrency_limit=CONCURRENCY)
    assistant.warm_up()  # load models and indexes before the first user waits on them
    app.launch(server_name=host, server_port=port, share=False, prevent_thread_lock=not block, quiet=True)
    return app

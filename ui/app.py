"""The web chat (Gradio Blocks): streamed answers whose `[n]` open the cited passage beside the chat.

Each answer is rendered as one HTML block: the sentences with `[n]` links, then a collapsible source
per citation holding the passage with the supporting quote in `<mark>`. A small script copies the
clicked source into the side panel. Doing it in the page, not in a Python event, is what makes a
click instant and lets it work on every past answer; the sources stay readable without the script.
Gradio's sanitiser keeps `id` and `href` (not `data-*`), so a link points at its source by `#id`.
"""

from __future__ import annotations

import html
import uuid
from pathlib import Path

import index  # noqa: F401  (offline switches before gradio is imported)
from index.loaders import SUPPORTED_SUFFIXES
from rag.api import openai_text
from rag.assistant import QuestionError
from rag.library import Library
from rag.llm import local_available
from rag.types import Answer, Citation, Passage

EXAMPLES = [
    "Where did Huawei move its US investments?",
    "How many Huawei affiliates were added to the economic blacklist?",
    "Who is Huawei's CFO?",
]
CONCURRENCY = 2  # two cores: more parallel answers only queue inside torch and llama.cpp
PANEL_HINT = '<div class="rag-panel-body"><p class="rag-hint">Click a citation such as <b>[1]</b> in an answer to see the passage it comes from, with the supporting text highlighted.</p></div>'

HEAD = """<script>
document.addEventListener('click', (event) => {
  const link = event.target.closest && event.target.closest('a.rag-cite');
  if (!link) return;
  event.preventDefault();
  const source = document.getElementById((link.getAttribute('href') || '').slice(1));
  const panel = document.querySelector('#passage-panel .rag-panel-body');
  if (!source || !panel) return;
  panel.innerHTML = source.querySelector('.rag-passage').outerHTML;
  const mark = panel.querySelector('mark');
  if (mark) mark.scrollIntoView({block: 'center'});
}, true);
</script>"""

CSS = """
a.rag-cite { font-weight: 600; text-decoration: none; cursor: pointer; padding: 0 1px; }
.rag-unsupported { color: #b45309; text-decoration: underline wavy #f59e0b; }
.rag-abstain { font-style: italic; color: #6b7280; }
.rag-checking { font-size: 0.85em; color: #6b7280; font-style: italic; }
.rag-draft { color: #4b5563; }
.rag-sources-title { font-weight: 600; font-size: 0.9em; margin-top: 4px; }
.rag-sources summary { cursor: pointer; font-size: 0.9em; }
.rag-passage mark { background: #fde68a; padding: 0 2px; }
.rag-passage-head { font-size: 0.9em; margin-bottom: 6px; }
.rag-passage-text { white-space: pre-wrap; line-height: 1.5; max-height: 60vh; overflow-y: auto; }
#passage-panel { min-height: 200px; }
"""


def _esc(text: str) -> str:
    return html.escape(" ".join(str(text).split()))


def passage_html(n: int | str, title: str, source: str, text: str, quote_start: int, quote_end: int,
                 doc_start: int | None = None) -> str:
    """The passage with `text[quote_start:quote_end]` highlighted, under its number, title and source."""
    where = f" · characters {doc_start + quote_start}–{doc_start + quote_end}" if doc_start is not None else ""
    return (
        f'<div class="rag-passage"><div class="rag-passage-head"><b>[{n}] {_esc(title)}</b><br>'
        f"<code>{_esc(source)}</code>{where}</div>"
        f'<div class="rag-passage-text">{html.escape(text[:quote_start])}<mark>{html.escape(text[quote_start:quote_end])}</mark>'
        f"{html.escape(text[quote_end:])}</div></div>"
    ).replace("\n", "&#10;")  # one line: a blank line would end the HTML block inside the chat's Markdown


def _quote_in_passage(citation: Citation, passages: dict[str, Passage]) -> tuple[int, int, int | None]:
    passage = passages.get(citation.passage_id)
    if passage is not None:
        offset = citation.start - passage.start
        if citation.text[offset : offset + len(citation.quote)] == citation.quote:
            return offset, offset + len(citation.quote), passage.start
    found = max(citation.text.find(citation.quote), 0)
    return found, found + len(citation.quote), None


def render(answer: Answer, uid: str | None = None) -> str:
    """One HTML block: the answer's sentences with `[n]` links, then the sources they open."""
    uid = uid or uuid.uuid4().hex[:8]
    if answer.abstained:
        return _render_abstention(answer, uid)
    body = []
    for sentence in answer.sentences:
        if sentence.supported:
            links = "".join(f'<a class="rag-cite" href="#rag-{uid}-{n}">[{n}]</a>' for n in sentence.citations)
            body.append(f"{_esc(sentence.text)} {links}")
        else:
            body.append(f'<span class="rag-unsupported" title="No passage supports this sentence">⚠ {_esc(sentence.text)}</span>')
    passages = {p.id: p for p in answer.passages}
    sources = []
    for citation in answer.citations:
        start, end, doc_start = _quote_in_passage(citation, passages)
        panel = passage_html(citation.n, citation.title, citation.source, citation.text, start, end,
                             citation.start - start if doc_start is not None else None)
        sources.append(
            f'<details class="rag-source" id="rag-{uid}-{citation.n}"><summary>[{citation.n}] {_esc(citation.title)}'
            f"{_dated(citation.published)} — <code>{_esc(_short_source(citation.source))}</code></summary>{panel}</details>"
        )
    return f'<div class="rag-answer"><p>{" ".join(body)}</p><div class="rag-sources"><div class="rag-sources-title">Sources</div>{"".join(sources)}</div></div>'


def _dated(published: str) -> str:
    """A source's date beside its title: the ranking prefers the newest, so the reader should see it."""
    return f" · {_esc(published[:10])}" if published else ""


def _short_source(source: str) -> str:
    """A file's name (its full path is in the passage panel); URLs as they are."""
    return source if "://" in source else Path(source).name


def _render_abstention(answer: Answer, uid: str) -> str:
    parts = [f'<div class="rag-answer"><p class="rag-abstain">{_esc(answer.answer)}</p>']
    closest = {p.doc_id: p for p in reversed(answer.passages)}  # the best passage of each document
    if closest:
        parts.append('<div class="rag-sources"><b>Closest passages</b> (not enough to answer):')
        for i, passage in enumerate(sorted(closest.values(), key=lambda p: -p.score)[:3], 1):
            panel = passage_html(i, passage.title, passage.source, passage.text, 0, 0)
            parts.append(f'<details class="rag-source" id="rag-{uid}-c{i}"><summary>{_esc(passage.title)}{_dated(passage.published)} — '
                         f"<code>{_esc(_short_source(passage.source))}</code></summary>{panel}</details>")
        parts.append("</div>")
    return "".join(parts) + "</div>"


def draft_html(draft: str) -> str:
    return (f'<div class="rag-answer"><p class="rag-draft">{_esc(draft)}</p>'
            '<p class="rag-checking">checking every sentence against the documents…</p></div>')


def backends(library: Library) -> list[str]:
    available = ["local"] if local_available() else []
    if library.settings.openai_base_url:
        available.append("openai")
    return available + ["extractive"]


def build_app(library: Library):
    import gradio as gr

    def respond(message: str, chat: list, turns: list, collection: str, k: int, backend: str):
        """Streams the model's draft as it is written, then replaces it with the checked answer."""
        chat = list(chat or []) + [{"role": "user", "content": message}, {"role": "assistant", "content": ""}]
        try:
            assistant = library.get(collection)
            draft = ""
            for item in assistant.ask_stream(message, history=turns, llm=backend, k=int(k)):
                if isinstance(item, Answer):
                    chat[-1]["content"] = render(item)
                    turns = list(turns or []) + [(message, item.answer)]
                else:
                    draft += item
                    chat[-1]["content"] = draft_html(draft)
                yield chat, turns, ""
        except QuestionError as error:
            chat[-1]["content"] = f'<p class="rag-abstain">Please ask a question: {html.escape(str(error))}.</p>'
            yield chat, turns, ""
        except Exception as error:  # the store or model failed: say so in the chat, keep the conversation
            chat[-1]["content"] = f'<p class="rag-unsupported">Could not answer: {html.escape(str(error))}</p>'
            yield chat, turns, ""

    def upload(files: list | None, collection: str, progress=gr.Progress(track_tqdm=True)):
        if not files:
            return "Choose one or more files first.", documents_md(collection), gr.update()
        progress(0, desc=f"indexing {len(files)} file(s)…")
        report = library.upload([(Path(f).name, Path(f)) for f in files], collection, progress=True)
        result = report.to_dict()
        lines = [f"**{result['accepted']} of {len(files)} file(s) indexed** into `{collection}`: {result['summary']}."]
        lines += [f"- ✗ `{html.escape(r['file'])}`: {html.escape(r['reason'])}" for r in result["rejected"]]
        return "\n".join(lines), documents_md(collection), gr.update(choices=library.collections(), value=collection)

    def documents_md(collection: str) -> str:
        try:
            docs = library.get(collection).documents()
        except Exception as error:
            return f"*{html.escape(str(error))}*"
        if not docs:
            return f"Collection `{collection}` is empty: add documents below."
        shown = "\n".join(f"- {html.escape(d.get('title', ''))} — `{html.escape(Path(d.get('source', '')).name)}`" for d in docs[:30])
        more = f"\n- … and {len(docs) - 30} more" if len(docs) > 30 else ""
        return f"**{len(docs)} document(s)** in `{collection}`:\n{shown}{more}"

    def switch(collection: str):
        try:
            library.get(collection)
        except Exception as error:
            gr.Warning(str(error))
            return gr.update(value=library.settings.collection), documents_md(library.settings.collection)
        return gr.update(), documents_md(collection)

    def api_chat(message: str, history: list | None = None, collection: str | None = None) -> str:
        """Ask the collection; the answer text with its [n] markers, then the numbered sources."""
        try:
            return openai_text(library.get(collection).ask(message, history=history))
        except QuestionError as error:
            return f"Please ask a question: {error}."

    default_backend = library.default.backend
    with gr.Blocks(title="groundrag — ask your documents", fill_height=True) as app:
        gr.Markdown("## Ask your documents\nEvery sentence of an answer is checked against the passage it cites; "
                    "click a citation to see the supporting text.")
        turns = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(elem_id="chat", height=560, label="Chat", buttons=["copy"],
                                  feedback_options=None, placeholder="Ask a question about the documents.")
                with gr.Row():
                    question = gr.Textbox(elem_id="question", placeholder="Ask a question about the documents…",
                                          show_label=False, scale=6, max_lines=6)
                    ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=1)
                    new_chat = gr.Button("New chat", elem_id="new-chat", scale=1)
                gr.Examples(EXAMPLES, inputs=question)
            with gr.Column(scale=2):
                panel = gr.HTML(PANEL_HINT, elem_id="passage-panel", label="Cited passage")
                with gr.Accordion("Documents", open=False, elem_id="documents-panel"):
                    collection = gr.Dropdown(library.collections(), value=library.settings.collection,
                                             allow_custom_value=True, label="Collection", elem_id="collection",
                                             info="Pick one, or type a new name to start a collection.")
                    docs = gr.Markdown(documents_md(library.settings.collection), elem_id="documents")
                    files = gr.File(file_count="multiple", file_types=sorted(SUPPORTED_SUFFIXES),
                                    label="Add documents", elem_id="upload")
                    index_files = gr.Button("Index these files", elem_id="index-files")
                    upload_status = gr.Markdown(elem_id="upload-status")
                with gr.Accordion("Settings", open=False, elem_id="settings-panel"):
                    k = gr.Slider(1, 20, value=library.settings.k, step=1, label="Passages retrieved (k)")
                    backend = gr.Radio(backends(library), value=default_backend, label="Answer backend")

        inputs = [question, chat, turns, collection, k, backend]
        for trigger in (question.submit, ask.click):
            trigger(respond, inputs, [chat, turns, question], api_visibility="private")
        new_chat.click(lambda: ([], [], PANEL_HINT), None, [chat, turns, panel], api_visibility="private")
        collection.change(switch, collection, [collection, docs], api_visibility="private")
        index_files.click(upload, [files, collection], [upload_status, docs, collection], api_visibility="private")
        gr.api(api_chat, api_name="chat")
    return app

"""The `rag` command line: ingest, retrieve, ask, chat, eval, bench. JSON output (`--json`) is a stable contract."""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import ABSTAIN_TEXT  # noqa: F401  (imports index first: offline switches)
from . import dates
from .assistant import BACKENDS, Assistant, QuestionError
from .settings import Settings

DEFAULT_JUDGED_YES = Settings.model_fields["min_judged_yes"].default
DEFAULT_DRAFT_CONFIDENCE = Settings.model_fields["min_draft_confidence"].default
AS_OF_HELP = ("the date the question is asked on (YYYY-MM-DD): documents published later are left out, and "
              "'this week' or 'recently' count back from it (default: the newest document retrieved)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except QuestionError as error:
        print(f"rag: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a clear one-line message, never a traceback, for expected failures
        from index import StoreError

        from .llm import LLMError
        from .models import ModelError

        if isinstance(error, (StoreError, ValueError, LLMError, ModelError)):
            print(f"rag: {error}", file=sys.stderr)
            return 1
        raise


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="Cited, checked answers about your documents.")
    sub = parser.add_subparsers(dest="command")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", help="index folder (default: $RAG_HOME or ./.rag)")
    common.add_argument("--collection", help="collection name (default: $RAG_COLLECTION or 'default')")
    common.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000 (default: $RAG_CHROMA_URL)")

    answering = argparse.ArgumentParser(add_help=False)
    answering.add_argument("--llm", choices=BACKENDS, help="answer backend (default: local when installed, else extractive)")
    answering.add_argument("--model", help="local backend: a GGUF file path or a bundled model name")
    answering.add_argument("--openai-base-url", help="openai backend: server base URL, e.g. http://127.0.0.1:8080/v1")
    answering.add_argument("--openai-model", help="openai backend: model name")
    answering.add_argument("--openai-api-key", help="openai backend: API key (or $RAG_OPENAI_API_KEY)")
    answering.add_argument("--min-judged-yes", type=_probability, metavar="P",
                           help="LLM backends: abstain when the model, asked whether the quoted text answers the "
                                f"question, gives yes a probability below P (default {DEFAULT_JUDGED_YES}; 0 skips the judge)")
    answering.add_argument("--min-draft-confidence", type=_probability, metavar="P",
                           help="abstain when the draft holds a word the model chose with probability "
                                f"below P (default {DEFAULT_DRAFT_CONFIDENCE}; 0 turns this off)")
    answering.add_argument("--show-unsupported", action="store_true",
                           help="keep answer sentences no passage supports, marked unsupported (default: drop them)")

    ingest = sub.add_parser("ingest", parents=[common], help="add files or folders to the index")
    ingest.add_argument("paths", nargs="+", help="files or folders (.txt .md .html .pdf .docx .jsonl)")
    ingest.add_argument("--sync", action="store_true", help="also remove documents no longer under the given folders")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.set_defaults(run=run_ingest)

    retrieve = sub.add_parser("retrieve", parents=[common], help="show the passages retrieved for a question")
    retrieve.add_argument("question")
    retrieve.add_argument("--k", type=int, help="number of passages (default 5)")
    retrieve.add_argument("--source", help="only documents whose source, path or doc_id is (or lies under) this")
    retrieve.add_argument("--as-of", metavar="DATE", type=_as_of, help=AS_OF_HELP)
    retrieve.add_argument("--json", action="store_true", help="print the JSON contract")
    retrieve.set_defaults(run=run_retrieve)

    ask = sub.add_parser("ask", parents=[common, answering], help="answer a question with citations")
    ask.add_argument("question")
    ask.add_argument("--k", type=int, help="passages retrieved (default 5)")
    ask.add_argument("--source", help="only documents whose source, path or doc_id is (or lies under) this")
    ask.add_argument("--as-of", metavar="DATE", type=_as_of, help=AS_OF_HELP)
    ask.add_argument("--json", action="store_true", help="print the JSON contract")
    ask.set_defaults(run=run_ask)

    chat = sub.add_parser("chat", parents=[common, answering], help="serve the web chat")
    chat.add_argument("--host", help="address to bind (default 127.0.0.1)")
    chat.add_argument("--port", type=int, help="port (default 7860)")
    chat.add_argument("--auth", metavar="TOKEN", help="require this token (API: Bearer; page: login password); "
                      "needed for any host but loopback (default: $RAG_AUTH_TOKEN)")
    chat.set_defaults(run=run_chat)

    from evals.command import add_parser as add_eval

    add_eval(sub, [common, answering])
    from evals.bench_command import add_parser as add_bench

    add_bench(sub)
    return parser


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a probability between 0 and 1")
    return value


def _as_of(text: str):
    try:
        return dates.as_of_date(text)
    except dates.DateError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def settings_from(args) -> Settings:
    """Settings from the environment, with the answering flags given on the command line on top."""
    overrides = {
        field: getattr(args, field) for field in ("llm", "model", "openai_base_url", "openai_model", "openai_api_key")
        if getattr(args, field, None)
    }
    if getattr(args, "show_unsupported", False):
        overrides["unsupported"] = "show"
    for bar in ("min_judged_yes", "min_draft_confidence"):
        if getattr(args, bar, None) is not None:
            overrides[bar] = getattr(args, bar)
    return Settings().model_copy(update=overrides)


def assistant_from(args) -> Assistant:
    settings = settings_from(args)
    return Assistant(
        home=args.home or settings.home,
        collection=args.collection or settings.collection,
        chroma_url=args.chroma_url or settings.chroma_url,
        settings=settings,
    )


def run_ingest(args) -> int:
    assistant = assistant_from(args)
    report = assistant.ingest(args.paths, sync=args.sync, progress=not args.quiet and sys.stderr.isatty())
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1


def run_retrieve(args) -> int:
    if args.k is not None and not 1 <= args.k <= 100:
        raise QuestionError("--k must be between 1 and 100")
    assistant = assistant_from(args)
    passages = assistant.retrieve(args.question, k=args.k, source=args.source, as_of=args.as_of)
    if args.json:
        print(json.dumps({"question": args.question, "passages": [p.to_dict() for p in passages]}, ensure_ascii=False))
        return 0
    if not passages:
        print("No passages found (is the index empty? run `rag ingest PATH`).")
    for rank, passage in enumerate(passages, 1):
        print(f"[{rank}] {passage.title} — {passage.source} (chars {passage.start}-{passage.end}, score {passage.score:.4f})")
        print("    " + " ".join(passage.text.split())[:300])
    return 0


def run_ask(args) -> int:
    if args.k is not None and not 1 <= args.k <= 100:
        raise QuestionError("--k must be between 1 and 100")
    assistant = assistant_from(args)
    answer = assistant.ask(args.question, k=args.k, source=args.source, as_of=args.as_of)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
        return 0
    print(answer.answer)
    for sentence in answer.sentences:
        if not sentence.supported:
            print(f"  (unsupported by the documents: {sentence.text})")
    if answer.citations:
        print()
    for citation in answer.citations:
        print(f"[{citation.n}] {citation.title} — {citation.source} (chars {citation.start}-{citation.end})")
        print(f"    “{citation.quote}”")
    return 0


def run_chat(args) -> int:
    from rag.library import Library
    from ui.server import serve

    settings = assistant_from(args).settings
    serve(Library(settings), host=args.host or settings.host, port=args.port or settings.port,
          auth_token=args.auth or settings.auth_token)
    return 0


if __name__ == "__main__":
    sys.exit(main())

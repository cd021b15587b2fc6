"""The neighbour every number is shown beside: llama-index's own default pipeline.

Same documents (read by our loaders), same embedder (the bundled MiniLM, through llama-index's
HuggingFaceEmbedding), same Chroma, same LLM; everything else is llama-index's default:
`VectorStoreIndex.from_documents` (SentenceSplitter 1024/20, dense retrieval only, top 2) and
`CitationQueryEngine` (512-token citation chunks, its own citation prompt). Its answers are taken as
they come: no check, and it abstains only when it says so in words. Follow-up questions reach it
without their history (llama-index's query engines have none).
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path
from typing import Any, Sequence

from index import embedder, store
from index.loaders import LoadError, iter_files, load_file
from rag import verify
from rag.llm import load_llm

from .harness import Response

# How the baseline says it can't answer (it has no abstention of its own).
REFUSAL = re.compile(
    r"(do(es)?n'?t|do(es)? not|cannot|can't|unable to)\s+(provide|mention|contain|say|state|specify|answer|determine|find|know)"
    r"|no (information|mention)|not (mentioned|provided|specified|stated)|i don'?t know",
    re.IGNORECASE,
)


def make_llm(backend: str, settings):
    """Our loaded model (local GGUF or OpenAI-compatible server) as a llama-index LLM."""
    from llama_index.core.base.llms.types import (
        ChatMessage, ChatResponse, CompletionResponse, LLMMetadata, MessageRole,
    )
    from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
    from llama_index.core.llms.custom import CustomLLM

    model = load_llm(backend, settings)

    class SharedLLM(CustomLLM):
        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(context_window=settings.context_tokens, num_output=settings.max_answer_tokens,
                               is_chat_model=True, model_name=backend)

        @llm_chat_callback()
        def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
            sent = [{"role": m.role.value, "content": m.content or ""} for m in messages]
            text = model.complete(sent, settings.max_answer_tokens)
            return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

        @llm_chat_callback()
        def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any):
            sent = [{"role": m.role.value, "content": m.content or ""} for m in messages]

            def pieces():
                text = ""
                for piece in model.stream(sent, settings.max_answer_tokens):
                    text += piece
                    yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=piece)

            return pieces()

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
            return CompletionResponse(text=model.complete([{"role": "user", "content": prompt}], settings.max_answer_tokens))

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any):
            text = ""
            for piece in model.stream([{"role": "user", "content": prompt}], settings.max_answer_tokens):
                text += piece
                yield CompletionResponse(text=text, delta=piece)

    return SharedLLM()


def load_documents(paths: list[Path]):
    from llama_index.core import Document

    documents = []
    for root in paths:
        for path in iter_files(Path(root)):
            try:
                loaded, _ = load_file(path)
            except (LoadError, OSError):
                continue
            for doc in loaded:
                documents.append(Document(
                    text=doc.text, id_=doc.doc_id,
                    metadata={"doc_id": doc.doc_id, "source": doc.source, "title": doc.title},
                    excluded_embed_metadata_keys=["doc_id", "source"], excluded_llm_metadata_keys=["doc_id", "source"],
                ))
    return documents


class LlamaIndexBaseline:
    name = "llama-index"

    def __init__(self, corpus: list[Path], home: Path, collection: str, backend: str, settings):
        from llama_index.core import Settings as LISettings
        from llama_index.core import StorageContext, VectorStoreIndex
        from llama_index.core.query_engine import CitationQueryEngine
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.backend = backend
        documents = load_documents(corpus)
        digest = hashlib.sha256("".join(sorted(d.id_ + hashlib.sha1(d.text.encode()).hexdigest() for d in documents)).encode()).hexdigest()[:16]
        client = store.connect(Path(home))
        name = f"li-{collection}"[:63]
        chroma = client.get_or_create_collection(name, embedding_function=None, metadata={"hnsw:space": "cosine"})
        if (chroma.metadata or {}).get("corpus") != digest or chroma.count() == 0:
            client.delete_collection(name)  # a changed corpus: rebuild from scratch, as llama-index would
            chroma = client.create_collection(name, embedding_function=None, metadata={"hnsw:space": "cosine", "corpus": digest})
            fresh = True
        else:
            fresh = False
        LISettings.embed_model = HuggingFaceEmbedding(model_name=str(embedder.model_path()), device="cpu")
        LISettings.llm = make_llm(backend, settings)
        vector_store = ChromaVectorStore(chroma_collection=chroma)
        if fresh:
            context = StorageContext.from_defaults(vector_store=vector_store)
            self.index = VectorStoreIndex.from_documents(documents, storage_context=context)
        else:
            self.index = VectorStoreIndex.from_vector_store(vector_store)
        self.engine = CitationQueryEngine.from_args(self.index, streaming=True)

    # `as_of` (the question's date) is taken and ignored: llama-index's default pipeline has no date filter
    def retrieve(self, question: str, depth: int, as_of: str | None = None) -> list[dict]:
        nodes = self.index.as_retriever(similarity_top_k=depth).retrieve(question)
        return [{"id": n.node.node_id, "doc_id": n.node.metadata.get("doc_id", ""), "source": n.node.metadata.get("source", ""),
                 "text": n.node.get_content()} for n in nodes]

    def respond(self, question: str, history: list, as_of: str | None = None) -> Response:
        began = time.perf_counter()
        response = self.engine.query(question)
        text, first = "", None
        for piece in response.response_gen:
            if first is None:
                first = round((time.perf_counter() - began) * 1000, 1)
            text += piece
        total = round((time.perf_counter() - began) * 1000, 1)
        cited = {}
        for n, node in enumerate(response.source_nodes, 1):
            body = re.sub(r"^Source \d+:\s*", "", node.node.get_content())
            cited[n] = {"doc_id": node.node.metadata.get("doc_id", ""), "source": node.node.metadata.get("source", ""),
                        "text": body, "quote": body}
        text = re.sub(r"\[Source (\d+)\]", r"[\1]", text.strip())  # its prompt's examples cite as [1]; models vary
        abstained = not text or bool(REFUSAL.search(text))
        statements = [] if abstained else verify.split_answer(text)
        timings = {"total": total, **({"first_token": first} if first is not None else {})}
        return Response(text=text, abstained=abstained, statements=statements, cited=cited,
                        context=[c["text"] for c in cited.values()], timings_ms=timings)

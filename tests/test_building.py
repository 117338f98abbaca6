import pytest

from index.building import build_from_corpus, doc_id_for
from index.errors import IndexMismatchError, IndexMissingError, StoreError
from index.records import ChunkingParams
from index.store import IndexStore, connect, read_chunks
from tests.conftest import FailingEmbeddings, FakeEmbeddings

EXTRA = (
    "关于社区食堂的答复\n吉民函〔2024〕5号\n一、工作开展情况\n"
    "（一）建设食堂。今年建成社区老年食堂136个。\n吉林省民政厅\n2024年1月5日\n"
)


def build(settings, embedder, **kwargs):
    store = IndexStore(connect(settings), settings.collection)
    return build_from_corpus(store, embedder, settings.corpus_dir, settings.chunking, **kwargs), store


def test_second_build_re_embeds_nothing(settings):
    first, _ = build(settings, FakeEmbeddings())
    embedder = FakeEmbeddings()
    second, store = build(settings, embedder)
    assert first.added and first.embedded_chunks == first.total_chunks > 0
    assert not second.changed and second.embedded_chunks == 0 and embedder.embedded == []
    assert store.active()[1].version == 1  # no new version was written


def test_only_changed_documents_are_embedded(settings):
    build(settings, FakeEmbeddings())
    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    embedder = FakeEmbeddings()
    report, store = build(settings, embedder)
    assert report.added == ["extra"] and report.unchanged == [doc_id_for(next(settings.corpus_dir.glob("jilin*")).name)]
    assert all("136个" in text or "吉民函" in text or "食堂" in text for text in embedder.embedded)
    collection, manifest = store.active()
    assert sorted(manifest.docs) == sorted([*report.added, *report.unchanged])
    assert len(read_chunks(collection)) == report.total_chunks


def test_edited_and_removed_documents(settings):
    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    build(settings, FakeEmbeddings())
    (settings.corpus_dir / "extra.txt").write_text(EXTRA.replace("136个", "140个"), encoding="utf-8")
    edited, store = build(settings, FakeEmbeddings())
    assert edited.updated == ["extra"] and edited.embedded_chunks == 2
    texts = " ".join(chunk.text for chunk in read_chunks(store.active()[0]))
    assert "140个" in texts and "136个" not in texts.replace("136个社区老年食堂建设任务", "")
    (settings.corpus_dir / "extra.txt").unlink()
    removed, store = build(settings, FakeEmbeddings())
    assert removed.removed == ["extra"]
    assert all(chunk.doc_id != "extra" for chunk in read_chunks(store.active()[0]))


def test_failed_build_leaves_the_previous_index_intact(settings):
    first, store = build(settings, FakeEmbeddings())
    before = read_chunks(store.active()[0])
    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    with pytest.raises(StoreError, match="原有索引未改动"):
        build(settings, FailingEmbeddings(fail_on_batch=1))
    collection, manifest = store.active()
    assert read_chunks(collection) == before
    assert sorted(manifest.docs) == first.added
    assert [name for _, c in store.versions() for name in [c.name]] == [collection.name]  # no half-built leftover


def test_a_changed_embedder_is_refused_with_how_to_rebuild(settings):
    build(settings, FakeEmbeddings())

    class OtherEmbeddings(FakeEmbeddings):
        model_id = "fake/other"

    with pytest.raises(IndexMismatchError, match="--rebuild"):
        build(settings, OtherEmbeddings())
    report, store = build(settings, OtherEmbeddings(), rebuild=True)
    assert report.embedded_chunks == report.total_chunks
    assert store.active()[1].embedder == "fake/other"


def test_changed_chunking_re_chunks_everything(settings):
    first, _ = build(settings, FakeEmbeddings())
    settings = settings.__class__(**{**settings.__dict__, "chunking": ChunkingParams(max_chars=120, min_chars=30)})
    report, _ = build(settings, FakeEmbeddings())
    assert report.updated == first.added and report.total_chunks > first.total_chunks


def test_unreadable_files_are_skipped_and_reported(settings):
    (settings.corpus_dir / "empty.txt").write_text("", encoding="utf-8")
    report, store = build(settings, FakeEmbeddings())
    assert list(report.skipped) == ["empty.txt"]
    assert len(store.active()[1].docs) == 1


def test_reading_before_any_build_says_how_to_build(settings):
    store = IndexStore(connect(settings), settings.collection)
    with pytest.raises(IndexMissingError, match="python -m index build"):
        store.open_active("fake/bigram-hash-64")


def test_doc_ids_are_stable_and_safe():
    assert doc_id_for("sub/吉林 答复.txt") == "sub__吉林-答复"
    assert doc_id_for("a.b.docx") == "a-b"


def test_a_build_killed_before_commit_is_ignored_then_cleaned_up(settings):
    _, store = build(settings, FakeEmbeddings())
    before = read_chunks(store.active()[0])
    leftover = store.create_version(99)  # what a build killed mid-write leaves behind
    leftover.add(ids=["x"], embeddings=[[0.0] * 64], documents=["半截"], metadatas=[{"doc_id": "x"}])
    assert read_chunks(store.active()[0]) == before
    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    build(settings, FakeEmbeddings())
    assert [collection.name for _, collection in store.versions()] == ["test--v2"]


def test_a_running_bot_follows_a_build_made_by_another_process(settings):
    from bot.chain import BotParams, Yinling

    build(settings, FakeEmbeddings())
    bot = Yinling(IndexStore(connect(settings), settings.collection), FakeEmbeddings(), BotParams())
    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    build(settings, FakeEmbeddings())  # commits v2 and drops v1, which the bot still holds
    assert any("136个" in hit.chunk.text for hit in bot.search("社区老年食堂136个", k=5))
    assert bot.manifest.version == 2 and "extra" in bot.manifest.docs

import re

import pytest

from index.building import build_from_corpus, doc_id_for
from index.errors import IndexBusyError, IndexMismatchError, IndexMissingError, StoreError
from index.store import IndexStore, connect, read_chunks
from tests.conftest import FailingEmbeddings, FakeEmbeddings
from yinling.settings import ChunkingParams

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


def test_a_build_killed_before_commit_is_ignored_then_cleaned_up_by_the_lock_holder(settings):
    _, store = build(settings, FakeEmbeddings())
    before = read_chunks(store.active()[0])
    leftover = store.create_version(2)  # what a build killed mid-write leaves behind
    leftover.add(ids=["x"], embeddings=[[0.0] * 64], documents=["半截"], metadatas=[{"doc_id": "x"}])
    assert read_chunks(store.active()[0]) == before
    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    build(settings, FakeEmbeddings(), exclusive=True)
    names = [collection.name for _, collection in store.versions()]
    assert len(names) == 1 and re.fullmatch(r"test--v2-[0-9a-f]{8}", names[0]) and names[0] != leftover.name


def test_without_the_lock_only_versions_that_can_no_longer_commit_are_dropped(settings):
    _, store = build(settings, FakeEmbeddings())
    doomed = store.create_version(1)  # started from before v1: its commit would be refused
    in_progress = store.create_version(2)  # may be another build's work in progress
    store.drop_uncommitted()
    names = {collection.name for _, collection in store.versions()}
    assert doomed.name not in names and in_progress.name in names
    store.drop_uncommitted(exclusive=True)
    assert [collection.name for _, collection in store.versions()] == [store.active()[0].name]


def test_version_names_are_never_reused(settings):
    _, store = build(settings, FakeEmbeddings())
    names = {store.create_version(2).name for _ in range(5)}
    assert len(names) == 5, "two builds of the same version number must not share a collection name"


def test_an_index_named_before_names_were_unique_is_read_and_replaced(settings):
    _, store = build(settings, FakeEmbeddings())
    store.active()[0].modify(name="test--v1")
    assert store.active()[0].name == "test--v1" and store.open_active(FakeEmbeddings.model_id)
    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    build(settings, FakeEmbeddings())
    names = [c.name for _, c in store.versions()]
    assert names == [store.active()[0].name] and names != ["test--v1"]


class ConcurrentBuildEmbeddings(FakeEmbeddings):
    """While embedding, lets another build (as if from another process) run to its commit first."""

    def __init__(self, other_build, then_fail: bool) -> None:
        super().__init__()
        self.other_build, self.then_fail = other_build, then_fail

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.other_build:
            self.other_build, other_build = None, self.other_build
            other_build()
        if self.then_fail:
            raise RuntimeError("embedder crashed")
        return super().embed_documents(texts)


def test_a_build_failing_while_another_committed_keeps_the_committed_version(settings):
    """Issue 8: the failing build's cleanup used to drop the other's committed version by name."""
    build(settings, FakeEmbeddings())
    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    crashing = ConcurrentBuildEmbeddings(lambda: build(settings, FakeEmbeddings()), then_fail=True)
    with pytest.raises(StoreError) as failed:
        build(settings, crashing, rebuild=True)
    store = IndexStore(connect(settings), settings.collection)
    assert store.active() is not None, "the build that committed meanwhile must still be readable"
    collection, manifest = store.active()
    assert "extra" in manifest.docs and any("136个" in chunk.text for chunk in read_chunks(collection))
    assert "原有索引未改动" not in str(failed.value) and f"索引现在是版本 {manifest.version}" in str(failed.value)
    assert [c.name for _, c in store.versions()] == [collection.name]


def test_a_build_overtaken_by_another_commit_is_not_committed_over_it(settings):
    build(settings, FakeEmbeddings())
    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    overtaking = ConcurrentBuildEmbeddings(lambda: build(settings, FakeEmbeddings()), then_fail=False)
    with pytest.raises(IndexBusyError, match="另一个建索引任务在本次建索引期间提交了索引版本 2"):
        build(settings, overtaking, rebuild=True)
    store = IndexStore(connect(settings), settings.collection)
    collection, manifest = store.active()
    assert manifest.version == 2 and "extra" in manifest.docs
    assert [c.name for _, c in store.versions()] == [collection.name], "the overtaken build's version is dropped"


def test_a_running_bot_follows_a_build_made_by_another_process(settings):
    from bot.chain import BotParams, Yinling

    build(settings, FakeEmbeddings())
    bot = Yinling(IndexStore(connect(settings), settings.collection), FakeEmbeddings(), BotParams(follow_s=0))
    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    build(settings, FakeEmbeddings())  # commits v2, which reads the unchanged reply from v1
    assert any("136个" in hit.chunk.text for hit in bot.search("社区老年食堂136个", k=5))
    assert bot.manifest.version == 2 and "extra" in bot.manifest.docs


def test_adding_a_reply_writes_only_its_chunks_and_reads_the_rest_where_they_are(settings):
    first, store = build(settings, FakeEmbeddings())
    v1 = store.active()[0].name
    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    report, store = build(settings, FakeEmbeddings())
    collection, manifest = store.active()
    assert collection.count() == report.embedded_chunks == 2, "only the added reply's chunks are written"
    assert {doc_id: entry.segment for doc_id, entry in manifest.docs.items()} == {first.added[0]: v1, "extra": ""}
    assert [c.name for _, c in store.versions()] == [collection.name], "the kept one is no version of its own"
    assert len(read_chunks(collection)) == report.total_chunks


def test_a_removed_reply_is_not_found_in_the_older_version_that_still_holds_it(settings):
    from bot.chain import BotParams, Yinling

    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    build(settings, FakeEmbeddings())
    (settings.corpus_dir / "other.txt").write_text(EXTRA.replace("5号", "6号"), encoding="utf-8")
    build(settings, FakeEmbeddings())  # v2 reads both earlier replies from v1
    (settings.corpus_dir / "extra.txt").unlink()
    _, store = build(settings, FakeEmbeddings())  # v3 still reads v1, which still holds "extra"
    bot = Yinling(store, FakeEmbeddings(), BotParams())
    assert bot.retriever.older and "extra" not in bot.manifest.docs
    for segment in bot.retriever.older:  # what the dense side over-fetches by is what the collection holds
        assert segment.stored == segment.vectorstore._collection.count() > 0, segment.vectorstore._collection.name
    assert all(hit.chunk.doc_id != "extra" for hit in bot.search("社区老年食堂136个", k=50))


def test_past_max_segments_a_build_copies_the_unchanged_chunks_in(settings, monkeypatch):
    import index.building

    monkeypatch.setattr(index.building, "MAX_SEGMENTS", 1)
    build(settings, FakeEmbeddings())
    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    build(settings, FakeEmbeddings())
    (settings.corpus_dir / "other.txt").write_text(EXTRA.replace("5号", "6号"), encoding="utf-8")
    report, store = build(settings, FakeEmbeddings())  # would read v1 and v2: copies instead
    collection, manifest = store.active()
    assert collection.count() == report.total_chunks and not manifest.segments()
    assert len(store.versions(retained=True)) == 1, "nothing older is kept"

import dataclasses

import pytest

import index.store as store_module
from bot.chain import Yinling
from index.building import build_from_corpus
from index.lexical import LexicalIndex
from index.store import IndexStore, connect, read_chunks
from tests.conftest import FakeEmbeddings


def built(settings) -> IndexStore:
    store = IndexStore(connect(settings), settings.collection)
    build_from_corpus(store, FakeEmbeddings(), settings.corpus_dir, settings.chunking)
    return store


def test_chunks_are_read_a_page_at_a_time_in_reading_order(settings, monkeypatch):
    store = built(settings)
    whole = read_chunks(store.active()[0])
    monkeypatch.setattr(store_module, "READ_PAGE", 4)
    assert len(whole) > 8 and read_chunks(store.active()[0]) == whole


def test_each_version_stores_its_lexical_index_and_opening_reads_no_chunks(settings, monkeypatch):
    store = built(settings)
    collection, _ = store.active()
    stored = LexicalIndex.from_bytes(store.read_lexical(collection))
    assert list(stored.chunks()) == read_chunks(collection)
    monkeypatch.setattr(store_module, "read_chunks", lambda _: pytest.fail("opening re-read every chunk"))
    bot = Yinling.open(settings, embedder=FakeEmbeddings())
    assert bot.search("社区老年食堂", k=3)


def test_a_lexical_index_in_many_parts_reads_back_whole_and_drops_with_its_version(settings, monkeypatch):
    store = IndexStore(connect(settings), settings.collection)
    collection = store.create_version(1)
    monkeypatch.setattr(store_module, "LEXICAL_PART", 10)
    store.write_lexical(collection, bytes(range(256)) * 3)
    assert store.read_lexical(collection) == bytes(range(256)) * 3
    store.drop(collection.name)
    assert store.client.list_collections() == []


def test_an_incomplete_lexical_index_is_derived_again_from_the_chunks(settings):
    store = built(settings)
    collection, _ = store.active()
    side = store.client.get_collection(collection.name + store_module.LEXICAL_SUFFIX)
    side.delete(ids=[store_module.part_id(0)])
    assert store.read_lexical(collection) is None
    assert list(store_module.lexical_index(store, collection).chunks()) == read_chunks(collection)


def test_the_manifest_is_stored_compressed_and_one_stored_as_plain_json_still_reads(settings):
    store = built(settings)
    collection, manifest = store.active()
    stored = collection.metadata[store_module.MANIFEST_KEY]
    assert stored.startswith(store_module.COMPRESSED_MANIFEST) and store_module.Manifest.from_stored(stored) == manifest
    (entry,) = manifest.docs.values()
    many = dataclasses.replace(manifest, docs={f"doc-{i}": entry for i in range(300)})
    assert len(many.to_stored()) < len(many.to_json().encode()) / 4, "Chroma reads it on every query"
    plain = {**collection.metadata, store_module.MANIFEST_KEY: manifest.to_json()}  # as earlier builds stored it
    collection.modify(metadata=plain)
    assert store.active()[1] == manifest
    assert Yinling.open(settings, embedder=FakeEmbeddings()).search("社区老年食堂", k=3)


def test_a_version_kept_for_its_chunks_gets_its_plain_manifest_compressed(settings):
    store = built(settings)
    collection, manifest = store.active()
    collection.modify(metadata={**collection.metadata, store_module.MANIFEST_KEY: manifest.to_json()})
    (settings.corpus_dir / "extra.txt").write_text("关于养老服务的答复\n全省建成老年食堂10个。", encoding="utf-8")
    build_from_corpus(store, FakeEmbeddings(), settings.corpus_dir, settings.chunking)
    kept = store.client.get_collection(collection.name).metadata
    assert kept[store_module.RETAINED_KEY], "the first version is kept: the second reads its chunks"
    assert kept[store_module.MANIFEST_KEY].startswith(store_module.COMPRESSED_MANIFEST)
    assert store_module.Manifest.from_stored(kept[store_module.MANIFEST_KEY]) == manifest

import gc
import weakref

from bot.chain import Yinling
from index.building import build_from_corpus
from index.store import IndexStore, connect
from tests.conftest import FakeEmbeddings
from yinling.startup import starting_up


def test_start_up_runs_without_the_collector_and_a_server_freezes_nothing():
    frozen = gc.get_freeze_count()
    with starting_up(freeze=False):
        assert not gc.isenabled(), "no collection during start-up"
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_a_one_shot_start_up_freezes_what_it_made():
    try:
        with starting_up(freeze=True):
            made = [[] for _ in range(10)]
        assert gc.isenabled() and gc.get_freeze_count() >= len(made)
    finally:
        gc.unfreeze()


def test_a_server_frees_the_index_it_opened_at_start_up_once_it_re_opens(settings):
    store = IndexStore(connect(settings), settings.collection)
    build_from_corpus(store, FakeEmbeddings(), settings.corpus_dir, settings.chunking)
    with starting_up(freeze=False):
        bot = Yinling.open(settings, embedder=FakeEmbeddings())
    first = weakref.ref(bot.retriever.bm25)
    bot.refresh()
    gc.collect()
    assert first() is None, "the lexical index opened at start-up stays in memory after a re-open"

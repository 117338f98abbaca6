"""Staff document management: corpus and index change together, or not at all."""

import dataclasses
import os

import pytest

from bot.chain import BotParams, Yinling
from bot.serve.admin import DocumentDesk
from index.building import build_from_corpus
from index.errors import DocumentError, IndexBusyError, StoreError
from index.locking import build_lock
from index.store import IndexStore, connect
from tests.conftest import FailingEmbeddings, FakeEmbeddings

UPLOAD = (
    "关于助餐的答复\n吉民函〔2024〕9号\n一、工作开展情况\n（一）推进老年助餐。全省已建成老年助餐点321个。\n".encode()
)


@pytest.fixture
def desk(settings):
    store = IndexStore(connect(settings), settings.collection)
    build_from_corpus(store, FakeEmbeddings(), settings.corpus_dir, settings.chunking)
    bot = Yinling(store, FakeEmbeddings(), BotParams())
    return DocumentDesk(bot, dataclasses.replace(settings, upload_max_mb=1, lock_timeout_s=1))


def test_upload_indexes_and_the_bot_sees_it(desk):
    report = desk.upload("助餐.txt", UPLOAD)
    assert report.added == ["助餐"] and report.embedded_chunks > 0
    assert sorted(row.number for row in desk.documents()) == ["吉民函〔2024〕9号", "吉民议字〔2023〕27号"]
    assert any("321个" in hit.chunk.text for hit in desk.bot.search("老年助餐点", k=3))


def test_remove_takes_it_out_of_corpus_and_index(desk):
    desk.upload("助餐.txt", UPLOAD)
    report = desk.remove("助餐.txt")
    assert report.removed == ["助餐"] and not (desk.corpus_dir / "助餐.txt").exists()
    assert [row.source for row in desk.documents()] == ["jilin-2023-jimin-yizi-27-low-fertility-ageing.txt"]


def test_failed_indexing_takes_the_upload_out_again(desk):
    desk.bot.embedder = FailingEmbeddings(fail_on_batch=1)
    with pytest.raises(StoreError):
        desk.upload("助餐.txt", UPLOAD)
    assert not (desk.corpus_dir / "助餐.txt").exists()
    assert len(desk.documents()) == 1


def test_failed_indexing_restores_a_removed_file(desk, monkeypatch):
    desk.upload("助餐.txt", UPLOAD)

    def disk_full(version):
        raise RuntimeError("disk full")

    monkeypatch.setattr(desk.bot.store, "create_version", disk_full)
    with pytest.raises(StoreError, match=r"无法在 Chroma 中创建"):
        desk.remove("助餐.txt")
    assert (desk.corpus_dir / "助餐.txt").read_bytes() == UPLOAD
    assert len(desk.documents()) == 2


def test_refused_upload_leaves_corpus_and_index_alone(desk):
    with pytest.raises(DocumentError, match="只支持"):
        desk.upload("x.xlsx", b"data")
    assert len(desk.documents()) == 1


def test_upload_while_a_build_runs_waits_then_says_who_is_building(desk):
    with build_lock(desk.data_dir, desk.bot.store.name, 10, "python -m index build --rebuild"):
        with pytest.raises(IndexBusyError, match=rf"另一个建索引任务正在进行（pid {os.getpid()}，.*请等它结束后再试"):
            desk.upload("助餐.txt", UPLOAD)
        with pytest.raises(IndexBusyError, match="python -m index build --rebuild"):
            desk.remove("jilin-2023-jimin-yizi-27-low-fertility-ageing.txt")
    assert not (desk.corpus_dir / "助餐.txt").exists()
    assert (desk.corpus_dir / "jilin-2023-jimin-yizi-27-low-fertility-ageing.txt").exists()
    assert desk.upload("助餐.txt", UPLOAD).added == ["助餐"], "once the build is over, the upload goes through"


def test_staff_correct_a_place_the_text_does_not_say_and_only_that_document_is_re_indexed(desk):
    desk.upload("助餐.txt", UPLOAD)
    assert desk.bot.search("老年助餐点", k=3, place="青禾市") == [], "地区不明: no place filter admits it yet"
    report = desk.correct("助餐.txt", {"jurisdiction": "青禾市", "issuer": "青禾市民政局", "date": "2024-05-11"})
    assert report.updated == ["助餐"] and report.added == [] and "jilin-2023-jimin-yizi-27" not in str(report.updated)
    row = next(row for row in desk.documents() if row.source == "助餐.txt")
    assert (row.jurisdiction, row.issuer, row.date) == ("青禾市", "青禾市民政局", "2024-05-11")
    assert row.corrected == ("date", "issuer", "jurisdiction")
    assert any("321个" in hit.chunk.text for hit in desk.bot.search("老年助餐点", k=3, place="青禾市"))


def test_a_bad_correction_changes_nothing(desk):
    desk.upload("助餐.txt", UPLOAD)
    version = desk.bot.manifest.version
    with pytest.raises(DocumentError, match="2024-05-11"):
        desk.correct("助餐.txt", {"date": "2024年5月11日"})
    with pytest.raises(DocumentError, match="不认识的字段"):
        desk.correct("助餐.txt", {"place": "青禾市"})
    with pytest.raises(DocumentError, match="语料中没有"):
        desk.correct("../outside.txt", {"date": "2024-05-11"})
    assert not (desk.corpus_dir / "助餐.txt.meta.json").exists() and desk.bot.manifest.version == version


def test_removing_a_document_removes_its_corrections(desk):
    desk.upload("助餐.txt", UPLOAD)
    desk.correct("助餐.txt", {"jurisdiction": "青禾市"})
    desk.remove("助餐.txt")
    assert not (desk.corpus_dir / "助餐.txt.meta.json").exists()

"""One writer at a time per index: overlapping builds and uploads lose nothing (issue 8).

Writers run as real processes: `tests/gated_build.py` is `python -m index` with the fake embedder
held at a gate, so a test decides how long a build holds the lock and its half-written version.
"""

import dataclasses
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from chromadb.errors import NotFoundError

from bot.chain import BotParams, Yinling
from bot.serve.admin import DocumentDesk
from index.building import build_from_corpus
from index.errors import IndexBusyError
from index.locking import build_lock, lock_path, read_holder
from index.store import IndexStore, connect, read_chunks
from tests.conftest import FakeEmbeddings, wait_until
from yinling.settings import ROOT

SEED_ID = "jilin-2023-jimin-yizi-27-low-fertility-ageing"
EXTRA = "关于社区食堂的答复\n吉民函〔2024〕5号\n一、工作开展情况\n（一）建设食堂。今年建成社区老年食堂136个。\n"
UPLOAD = "关于助餐的答复\n吉民函〔2024〕9号\n一、工作开展情况\n（一）推进老年助餐。全省已建成老年助餐点321个。\n"
BUSY = "另一个建索引任务正在进行"


def writer_env(settings, wait_s: int, gate: Path | None = None) -> dict[str, str]:
    env = os.environ | {
        "YINLING_DATA_DIR": str(settings.data_dir),
        "YINLING_CORPUS_DIR": str(settings.corpus_dir),
        "YINLING_COLLECTION": settings.collection,
        "YINLING_LOCK_TIMEOUT_S": str(wait_s),
        "CHROMA_HOST": settings.chroma_host,
        "CHROMA_PORT": str(settings.chroma_port),
    }
    env.pop("YINLING_TEST_GATE", None)
    return env | ({"YINLING_TEST_GATE": str(gate)} if gate else {})


def start_build(settings, args: list[str], wait_s: int, stderr: Path, gate: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.gated_build", "build", *args],
        cwd=ROOT,
        env=writer_env(settings, wait_s, gate),
        stdout=subprocess.DEVNULL,
        stderr=stderr.open("w"),
    )


def holds_lock(settings, process: subprocess.Popen) -> bool:
    holder = read_holder(lock_path(settings.data_dir, settings.collection))
    return holder is not None and holder.pid == process.pid


def first_index(settings) -> IndexStore:
    store = IndexStore(connect(settings), settings.collection)
    build_from_corpus(store, FakeEmbeddings(), settings.corpus_dir, settings.chunking)
    return store


def readable_chunks(store: IndexStore) -> int:
    """How many chunks the active version holds; fails if there is none to read."""
    for _ in range(3):
        found = store.active()
        assert found is not None, "an index must always be readable while writers overlap"
        try:
            return len(read_chunks(found[0]))
        except NotFoundError:  # replaced between listing and reading: read the new one, as the bot does
            continue
    pytest.fail("the active version kept disappearing while being read")


def test_a_second_writer_waits_then_says_who_holds_the_lock(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path), "test"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(IndexBusyError) as busy, build_lock(tmp_path, "test", 1, "python -m index build"):
            pass
        assert time.monotonic() - started >= 1, "the second writer must wait before giving up"
        message = str(busy.value)
        assert message.startswith(f"{BUSY}（pid {holder.pid}，") and "python -m index build --rebuild" in message
        assert "开始于 " in message and message.endswith("请等它结束后再试（等待时长由 YINLING_LOCK_TIMEOUT_S 设置）")
        with build_lock(tmp_path, "other", 1, "python -m index build"):
            pass  # each index has its own lock
    finally:
        holder.kill()
        holder.wait()
    with build_lock(tmp_path, "test", 0.1, "python -m index build") as me:
        assert read_holder(lock_path(tmp_path, "test")) == me, "a killed holder's lock is free at once"


HOLD_LOCK = """
import sys, time
from pathlib import Path
from index.locking import build_lock
with build_lock(Path(sys.argv[1]), sys.argv[2], 1, "python -m index build --rebuild"):
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_cli_build_fails_clearly_while_another_build_runs(settings, tmp_path):
    first_index(settings)
    gate = tmp_path / "gate"
    gate.touch()
    running = start_build(settings, ["--rebuild"], 60, tmp_path / "running.err", gate)
    try:
        wait_until(lambda: holds_lock(settings, running), "the first build to take the lock")
        second = subprocess.run(
            [sys.executable, "-m", "tests.gated_build", "build"],
            cwd=ROOT, env=writer_env(settings, 1), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert second.returncode == 1
        assert f"错误：{BUSY}（pid {running.pid}，" in second.stderr and "请等它结束后再试" in second.stderr
        gate.unlink()
        assert running.wait(timeout=120) == 0, (tmp_path / "running.err").read_text()
    finally:
        running.kill()
        running.wait()
    assert IndexStore(connect(settings), settings.collection).active()[1].version == 2


def test_a_killed_build_neither_blocks_the_next_nor_leaves_its_version(settings, tmp_path):
    store = first_index(settings)
    gate = tmp_path / "gate"
    gate.touch()
    killed = start_build(settings, ["--rebuild"], 60, tmp_path / "killed.err", gate)
    wait_until(lambda: holds_lock(settings, killed) and len(store.versions()) == 2, "the build's half-written version")
    killed.kill()
    killed.wait()
    assert readable_chunks(store) > 0
    started = time.monotonic()
    with build_lock(settings.data_dir, settings.collection, 5, "python -m index build"):
        assert time.monotonic() - started < 1, "a dead holder's lock must be free at once"
        (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
        build_from_corpus(store, FakeEmbeddings(), settings.corpus_dir, settings.chunking, exclusive=True)
    collection, manifest = store.active()
    assert [c.name for _, c in store.versions()] == [collection.name], "the killed build's version is dropped"
    assert sorted(manifest.docs) == ["extra", SEED_ID]


@pytest.mark.integration
@pytest.mark.parametrize(
    "mode, wait_s",
    [("embedded", 60), ("embedded", 1), ("server", 60)],
    ids=["embedded-everyone-waits", "embedded-losers-give-up", "chroma-run-everyone-waits"],
)
def test_two_builds_and_an_upload_overlap_and_lose_nothing(mode, wait_s, settings, tmp_path, request, caplog):
    """The issue's test: a `--rebuild`, an incremental build and a staff upload, all at once."""
    if mode == "server":
        port = request.getfixturevalue("chroma_server")
        settings = dataclasses.replace(settings, chroma_host="127.0.0.1", chroma_port=port)
    store = first_index(settings)
    bot = Yinling(store, FakeEmbeddings(), BotParams())
    desk = DocumentDesk(bot, dataclasses.replace(settings, lock_timeout_s=wait_s))
    (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="index.locking")
    run = overlap(settings, desk, wait_s, tmp_path, upload_waits=lambda: "waiting up to" in caplog.text)

    assert run.unreadable is None, run.unreadable
    assert len(run.polls) >= 10 and min(run.polls) > 0, "an index was readable at every poll"
    assert run.rebuild.returncode == 0, run.errors["rebuild"]
    collection, manifest = store.active()
    indexed = " ".join(chunk.text for chunk in read_chunks(collection))
    assert "extra" in manifest.docs and "136个" in indexed, "the rebuild's document is indexed"
    if wait_s == 60:
        assert run.incremental.returncode == 0, run.errors["incremental"]
        assert run.uploaded == ["ok"] and "助餐" in manifest.docs and "321个" in indexed
    else:
        assert run.incremental.returncode == 1 and f"错误：{BUSY}（pid {run.rebuild.pid}，" in run.errors["incremental"]
        assert str(run.uploaded[0]).startswith(f"{BUSY}（pid {run.rebuild.pid}，")
        assert "助餐" not in manifest.docs and not (settings.corpus_dir / "助餐.txt").exists()
    assert [c.name for _, c in store.versions()] == [collection.name], "no half-written version is left behind"


@dataclasses.dataclass
class Overlap:
    rebuild: subprocess.Popen
    incremental: subprocess.Popen
    uploaded: list[object]
    polls: list[int]
    unreadable: BaseException | None = None
    errors: dict[str, str] = dataclasses.field(default_factory=dict)


def overlap(settings, desk: DocumentDesk, wait_s: int, tmp_path: Path, upload_waits) -> Overlap:
    """Hold a `--rebuild` at its gate, start a build and an upload, then let them all run out.

    Reads the index the whole time: `index status` once while the rebuild holds the lock, and
    the store every 50 ms from before the rebuild starts until every writer is done.
    """
    gate = tmp_path / "gate"
    gate.touch()
    done = threading.Event()
    rebuild = start_build(settings, ["--rebuild"], wait_s, tmp_path / "rebuild.err", gate)
    run = Overlap(rebuild, rebuild, [], [])
    poller = threading.Thread(target=poll_until, args=(done, desk.bot.store, run))
    poller.start()
    try:
        wait_until(lambda: holds_lock(settings, rebuild), "the rebuild to take the lock")
        run.incremental = start_build(settings, [], wait_s, tmp_path / "incremental.err")
        upload = threading.Thread(target=lambda: run.uploaded.append(attempt(desk.upload, "助餐.txt", UPLOAD.encode())))
        upload.start()
        status = subprocess.run(
            [sys.executable, "-m", "index", "status"], cwd=ROOT, env=writer_env(settings, wait_s),
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert status.returncode == 0 and status.stdout.startswith("索引版本 1，"), status.stdout + status.stderr
        wait_until(upload_waits, "the upload to wait for the lock")
        wait_until(lambda: "waiting up to" in (tmp_path / "incremental.err").read_text(), "the build to wait")
        if wait_s == 1:
            wait_until(lambda: run.incremental.poll() is not None and not upload.is_alive(), "the losers to give up")
        gate.unlink()

        def finished() -> bool:
            return rebuild.poll() is not None and run.incremental.poll() is not None and not upload.is_alive()

        wait_until(finished, "every writer to finish", 120)
    finally:
        done.set()
        poller.join()
        for process in {rebuild, run.incremental}:
            process.kill()
            process.wait()
    run.errors = {name: (tmp_path / f"{name}.err").read_text() for name in ("rebuild", "incremental")}
    return run


def poll_until(done: threading.Event, store: IndexStore, run: Overlap) -> None:
    """Read the index until `done`, then once more; keep what stopped it from being read."""
    try:
        while not done.wait(0.05):
            run.polls.append(readable_chunks(store))
        run.polls.append(readable_chunks(store))
    except BaseException as error:  # pytest.fail raises a BaseException; the test reports it
        run.unreadable = error


def attempt(action, *args) -> object:
    """'ok', or the IndexBusyError a writer that gave up raised."""
    try:
        action(*args)
    except IndexBusyError as error:
        return error
    return "ok"

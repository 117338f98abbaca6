"""One writer at a time per index: a lock file in the data directory, shared by every process.

Builds (`python -m index build`) and the staff document desk take the lock before they read
the corpus and hold it until their new index version is committed or dropped. The lock is an
OS file lock (`flock`, through `filelock`): the kernel releases it when its holder exits, even
when killed, so a crashed build never blocks the next one. The file also records who holds it
(pid, host, command, start time), so a writer that gives up can say whom it waited for.

Limitation: the lock lives in the local data directory, also in server mode (CHROMA_HOST set).
It serialises writers on this machine, or on machines sharing that directory over a file system
with working `flock`; writers on other machines that use the same Chroma server are not
serialised by it. For them only the store's own defences apply: version names unique per build,
and a commit that refuses to replace a version it did not start from (`IndexStore.commit`); and
in server mode a lock holder does not drop other builds' uncommitted versions, which may be
another machine's work in progress.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from index.errors import IndexBusyError, StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LockHolder:
    """Who holds the build lock, as written into the lock file."""

    pid: int
    host: str
    command: str
    started: str

    @classmethod
    def now(cls, command: str) -> LockHolder:
        started = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
        return cls(os.getpid(), socket.gethostname(), command, started)

    def describe(self) -> str:
        return f"pid {self.pid}，主机 {self.host}，{self.command}，开始于 {self.started}"


def lock_path(data_dir: Path, collection: str) -> Path:
    return data_dir / f"{collection}.build.lock"


def read_holder(path: Path) -> LockHolder | None:
    """The holder recorded in a lock file, or None when it is empty or unreadable."""
    try:
        return LockHolder(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def lock_covers_all_writers(chroma_host: str) -> bool:
    """Whether holding the lock means no other build can be writing (see the module's limitation)."""
    return not chroma_host


@contextmanager
def build_lock(data_dir: Path, collection: str, timeout_s: float, command: str) -> Iterator[LockHolder]:
    """Hold the index's build lock for the duration of the block.

    Args:
        data_dir: the local data directory (YINLING_DATA_DIR); the lock file is created there.
        collection: the index's name; each index has its own lock.
        timeout_s: how long to wait for another writer to finish (YINLING_LOCK_TIMEOUT_S).
        command: what this writer is doing, shown to a writer that waits for it.

    Yields:
        This writer's record in the lock file.

    Raises:
        IndexBusyError: another writer still held the lock after `timeout_s` seconds.
        StoreError: the lock file cannot be created.
    """
    path = lock_path(data_dir, collection)
    holder = LockHolder.now(command)
    written: list[int] = []

    def record_holder(fd: int) -> None:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(asdict(holder), ensure_ascii=False).encode(), 0)
        written.append(fd)

    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(path, on_acquired=record_holder)
        acquire(lock, path, timeout_s)
    except OSError as error:
        raise StoreError(f"无法在数据目录 {data_dir} 建立锁文件：{error}。检查 YINLING_DATA_DIR 的权限") from error
    try:
        yield holder
    finally:
        try:
            if written:
                os.ftruncate(written[-1], 0)  # so nobody reads this process as the holder after it let go
        finally:
            lock.release()


def acquire(lock: FileLock, path: Path, timeout_s: float) -> None:
    try:
        lock.acquire(blocking=False)
        return
    except Timeout:
        pass
    log.warning("waiting up to %s s for the build lock held by %s", timeout_s, who_holds(path))
    try:
        lock.acquire(timeout=timeout_s)
    except Timeout:
        raise IndexBusyError(
            f"另一个建索引任务正在进行（{who_holds(path)}）：已等待 {timeout_s:g} 秒仍未结束，请等它结束后再试"
            "（等待时长由 YINLING_LOCK_TIMEOUT_S 设置）"
        ) from None


def who_holds(path: Path) -> str:
    holder = read_holder(path)
    return holder.describe() if holder else f"锁文件 {path}"

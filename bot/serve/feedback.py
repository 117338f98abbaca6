"""👍/👎 feedback, saved locally as JSON lines with personal numbers redacted.

The file is readable by its owner only (0600) and rotates by size: past `max_bytes` it
becomes `feedback.jsonl.1` (the older ones shift to .2, .3 …) and only `keep` old files
are kept, so the log never grows without bound.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.serve.privacy import redact

__all__ = ["Feedback", "FeedbackLog", "redact"]

PRIVATE = 0o600


@dataclass(frozen=True)
class Feedback:
    question: str
    answer: str
    liked: bool
    refused: bool
    at: str = ""


class FeedbackLog:
    """Appends feedback to a JSONL file; safe to call from several request threads."""

    def __init__(self, path: Path, max_bytes: int = 10 * 2**20, keep: int = 3):
        self.path = path
        self.max_bytes = max_bytes
        self.keep = keep
        self._lock = threading.Lock()

    def record(self, feedback: Feedback) -> Feedback:
        clean = Feedback(
            question=redact(feedback.question),
            answer=redact(feedback.answer),
            liked=feedback.liked,
            refused=feedback.refused,
            at=feedback.at or datetime.now(UTC).isoformat(timespec="seconds"),
        )
        line = (json.dumps(asdict(clean), ensure_ascii=False) + "\n").encode()
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and self.path.stat().st_size + len(line) > self.max_bytes:
                self._rotate()
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE)
            try:
                os.fchmod(descriptor, PRIVATE)  # also tightens a file an older version left 0644
                os.write(descriptor, line)
            finally:
                os.close(descriptor)
        return clean

    def _rotate(self) -> None:
        """feedback.jsonl → .1 → .2 …; the oldest beyond `keep` is deleted."""
        self.rotated(self.keep).unlink(missing_ok=True)
        for n in range(self.keep - 1, 0, -1):
            if self.rotated(n).exists():
                self.rotated(n).rename(self.rotated(n + 1))
        if self.keep:
            self.path.rename(self.rotated(1))
        else:
            self.path.unlink()

    def rotated(self, n: int) -> Path:
        return self.path.with_name(f"{self.path.name}.{n}")

    def read(self) -> list[Feedback]:
        """Every kept record, oldest first (rotated files, then the current one)."""
        files = [self.rotated(n) for n in range(self.keep, 0, -1)] + [self.path]
        return [
            Feedback(**json.loads(line))
            for path in files
            if path.exists()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line
        ]

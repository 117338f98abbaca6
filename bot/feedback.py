"""👍/👎 feedback, saved locally as JSON lines with personal numbers redacted."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

# 18-digit resident ID (last may be X), the old 15-digit one, mobile and landline numbers.
ID_CARD = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15})(?![\dXx])")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[-\s]?\d{7,8}(?!\d)")


def redact(text: str) -> str:
    """Hide ID-card and phone numbers a caller may have typed."""
    text = ID_CARD.sub("[身份证号已隐去]", text)
    text = MOBILE.sub("[电话已隐去]", text)
    return LANDLINE.sub("[电话已隐去]", text)


@dataclass(frozen=True)
class Feedback:
    question: str
    answer: str
    liked: bool
    refused: bool
    at: str = ""


class FeedbackLog:
    """Appends feedback to a JSONL file; safe to call from several request threads."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def record(self, feedback: Feedback) -> Feedback:
        clean = Feedback(
            question=redact(feedback.question),
            answer=redact(feedback.answer),
            liked=feedback.liked,
            refused=feedback.refused,
            at=feedback.at or datetime.now(UTC).isoformat(timespec="seconds"),
        )
        line = json.dumps(asdict(clean), ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line)
        return clean

    def read(self) -> list[Feedback]:
        if not self.path.exists():
            return []
        return [Feedback(**json.loads(line)) for line in self.path.read_text(encoding="utf-8").splitlines() if line]

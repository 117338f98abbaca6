"""yinling.settings: every environment key read once, and bad values refused with how to fix them."""

from pathlib import Path

import pytest

from yinling.errors import YinlingError
from yinling.settings import ChunkingParams, Settings


def test_unset_keys_keep_the_defaults():
    assert Settings.from_env({}) == Settings()


def test_each_key_reaches_its_field():
    env = {
        "YINLING_DATA_DIR": "/srv/yinling",
        "YINLING_CORPUS_DIR": "/srv/replies",
        "EMBED_MODEL": "/models/bge-small-zh",
        "CHROMA_HOST": "chroma.internal",
        "CHROMA_PORT": "8100",
        "YINLING_COLLECTION": "prod",
        "YINLING_CHUNK_MAX_CHARS": "300",
        "YINLING_CHUNK_MIN_CHARS": "80",
        "YINLING_PORT": "8080",
        "YINLING_STAFF_USER": "staff",
        "YINLING_STAFF_PASSWORD": "s3cret",
        "YINLING_API_RATE_LIMIT": "10 / second",
        "YINLING_LOGIN_RATE_LIMIT": "off",
        "YINLING_LLM_BASE_URL": " http://127.0.0.1:8000/v1 ",
        "YINLING_LLM_MODEL": "qwen",
        "YINLING_LOG_LEVEL": "debug",
    }
    settings = Settings.from_env(env)
    assert (settings.data_dir, settings.corpus_dir) == (Path("/srv/yinling"), Path("/srv/replies"))
    assert settings.chroma_dir == Path("/srv/yinling/chroma")
    assert (settings.embed_model, settings.chroma_host, settings.chroma_port) == (
        "/models/bge-small-zh",
        "chroma.internal",
        8100,
    )
    assert settings.chunking == ChunkingParams(max_chars=300, min_chars=80) and settings.port == 8080
    assert settings.staff_enabled and settings.llm_enabled and settings.llm_base_url == "http://127.0.0.1:8000/v1"
    assert (settings.api_rate_limit, settings.login_rate_limit) == ("10/second", ""), "spaces dropped; off is no limit"
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"YINLING_PORT": "http"}, "YINLING_PORT='http' 不是整数"),
        ({"YINLING_PORT": "0"}, "必须大于 0"),
        ({"YINLING_PORT": "70000"}, "1 到 65535"),
        ({"CHROMA_PORT": "-1"}, "CHROMA_PORT=-1 必须大于 0"),
        ({"YINLING_API_RATE_LIMIT": "fast"}, "写成 60/minute"),
        ({"YINLING_CHAT_RATE_LIMIT": "60 per minute"}, "YINLING_CHAT_RATE_LIMIT"),
        ({"YINLING_CHUNK_MIN_CHARS": "500"}, "下限不能超过上限"),
        ({"YINLING_LOG_LEVEL": "verbose"}, "不是日志级别"),
        ({"YINLING_LLM_BASE_URL": "http://127.0.0.1:8000/v1"}, "还需要设置 YINLING_LLM_MODEL"),
        ({"YINLING_LLM_MODEL": "qwen"}, "还需要设置 YINLING_LLM_BASE_URL"),
        ({"YINLING_STAFF_USER": "staff"}, "还需要设置 YINLING_STAFF_PASSWORD"),
    ],
)
def test_a_bad_value_is_refused_with_what_to_change(env, says):
    with pytest.raises(YinlingError, match=says):
        Settings.from_env(env)


def test_features_stay_off_until_fully_configured():
    settings = Settings.from_env({})
    assert not settings.staff_enabled and not settings.llm_enabled
    assert settings.api_rate_limit == "60/minute", "the public API is limited by default"

import logging
import stat

import pytest

from bot.serve.feedback import Feedback, FeedbackLog, redact
from bot.serve.privacy import install_log_redaction


def test_id_card_and_phone_numbers_are_redacted():
    text = "我身份证22010219500101123X，手机13912345678，座机0431-88881234，老身份证220102500101123"
    clean = redact(text)
    for secret in ("22010219500101123X", "13912345678", "0431-88881234", "220102500101123"):
        assert secret not in clean
    assert clean.count("[身份证号已隐去]") == 2 and clean.count("[电话已隐去]") == 2


def test_policy_numbers_are_kept():
    text = "全省现已建成各类养老机构1558家，完成适老化改造15632户，资金24.6亿元"
    assert redact(text) == text


def test_feedback_is_appended_redacted(tmp_path):
    log = FeedbackLog(tmp_path / "fb" / "feedback.jsonl")
    log.record(Feedback("我电话13912345678，床位多少？", "14.45万张", liked=True, refused=False))
    log.record(Feedback("北京呢", "抱歉", liked=False, refused=True))
    saved = log.read()
    assert [f.liked for f in saved] == [True, False]
    assert "13912345678" not in saved[0].question and saved[0].at


@pytest.mark.parametrize(
    "secret",
    [
        "110101 19900307 1234",
        "110101-19900307-1234",
        "(010)12345678",
        "（0431）8888 6666",
        "88886666",
        "139.1234.5678",
        "1 3 9 1 2 3 4 5 6 7 8",
        "+86 139 1234 5678",
        "一三九一二三四五六七八",
        "幺三九幺二三四五六七八",
    ],
)
def test_every_shape_of_a_personal_number_is_redacted(secret):
    clean = redact(f"我的号码是{secret}，请回电")
    assert secret not in clean and ("[电话已隐去]" in clean or "[身份证号已隐去]" in clean)
    assert clean.startswith("我的号码是") and clean.endswith("，请回电")


@pytest.mark.parametrize("kept", ["2023-11-23", "2023年11月23日", "14.45万张", "82.64%", "2.1亿元", "二〇二三年"])
def test_dates_and_figures_are_not_mistaken_for_numbers_to_hide(kept):
    assert redact(f"答复说{kept}。") == f"答复说{kept}。"


def test_feedback_file_is_private_and_rotates_by_size(tmp_path):
    path = tmp_path / "feedback.jsonl"
    path.write_text("", encoding="utf-8")
    path.chmod(0o644)
    log = FeedbackLog(path, max_bytes=400, keep=2)
    for n in range(20):
        log.record(Feedback(f"第{n}个问题：床位多少？", "14.45万张", liked=True, refused=False))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feedback.jsonl", "feedback.jsonl.1", "feedback.jsonl.2"]
    assert all(p.stat().st_size <= 400 for p in tmp_path.iterdir())
    kept = [f.question for f in log.read()]
    assert kept[-1] == "第19个问题：床位多少？" and "第0个问题：床位多少？" not in kept
    assert kept == sorted(kept, key=lambda q: int(q[1 : q.index("个")]))


def test_log_lines_are_redacted_and_access_lines_lose_their_query(caplog):
    factory = logging.getLogRecordFactory()
    install_log_redaction()
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("bot.test").warning("answering %r failed", "我电话13912345678")
            logging.getLogger("uvicorn.access").info(
                '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/api/search?q=13912345678", "1.1", 200
            )
    finally:
        logging.setLogRecordFactory(factory)
    text = caplog.text
    assert "13912345678" not in text and "[电话已隐去]" in text and "/api/search" in text

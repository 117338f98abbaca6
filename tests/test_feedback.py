from bot.feedback import Feedback, FeedbackLog, redact


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

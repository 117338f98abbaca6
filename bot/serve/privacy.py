"""Personal numbers out of what Yinling keeps: feedback and log lines. Pure functions plus one log hook.

Callers type ID-card and phone numbers in every shape: spaced (`110101 19900307 1234`),
dashed, dotted (`139.1234.5678`), one digit at a time (`1 3 9 1 2 …`), bracketed area codes
(`(010)12345678`), bare landlines (`88886666`) and Chinese digits (`一三九一二三四五六七八`).
Any run of seven or more digits, however separated, is hidden; dates (2023-11-23) are kept.
"""

from __future__ import annotations

import logging
import re

DIGIT = "0-9０-９〇零一二三四五六七八九幺两"
SEPARATOR = r"[ \t\-.·()（）]"
# A run of digits with at most one separator between two digits, optionally a leading
# +86 or bracket, and an ID card's final X.
DIGIT_RUN = re.compile(rf"[+(（]?[{DIGIT}](?:{SEPARATOR}{{0,2}}[{DIGIT}])+(?:{SEPARATOR}?[Xx](?![A-Za-z]))?")
DATE = re.compile(r"\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?")
ID_LENGTHS = (15, 18)
MIN_DIGITS = 7
ID_MARK = "[身份证号已隐去]"
PHONE_MARK = "[电话已隐去]"


def redact(text: str) -> str:
    """`text` with every ID-card and phone number replaced by a marker."""
    return DIGIT_RUN.sub(_hide, text)


def _hide(match: re.Match[str]) -> str:
    run = match.group(0)
    if DATE.fullmatch(run.strip("+(（)）")):
        return run
    digits = len(re.findall(rf"[{DIGIT}Xx]", run))
    if digits < MIN_DIGITS:
        return run
    return ID_MARK if digits in ID_LENGTHS and not run.startswith(("+", "(", "（")) else PHONE_MARK


def without_query(path: str) -> str:
    """A request path without its query string, where questions and their numbers travel."""
    return path.split("?", 1)[0]


def install_log_redaction() -> None:
    """Redact every log record of this process as it is made, whatever handler writes it.

    Uvicorn's access lines keep their fields (its formatter needs them) with the query
    string dropped; every other record has its message redacted.
    """
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "redacts", False):
        return

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            record.args = (client, method, without_query(str(path)), version, status)
        else:
            record.msg, record.args = redact(record.getMessage()), ()
        return record

    redacting_factory.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)

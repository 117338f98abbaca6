"""zhtext.dates and zhtext.numerals: dates as official documents write them."""

from zhtext.dates import format_date_zh, parse_date
from zhtext.numerals import chinese_numeral


def test_dates_in_both_notations():
    assert parse_date("2023年11月23日") == "2023-11-23"
    assert parse_date("二〇二三年十一月二十三日") == "2023-11-23"
    assert parse_date("2024.1.5") == "2024-01-05"
    assert parse_date("没有日期") == ""
    assert chinese_numeral("二十三") == 23 and chinese_numeral("十") == 10


def test_a_date_is_written_back_as_documents_write_it():
    assert format_date_zh("2023-11-23") == "2023年11月23日"
    assert format_date_zh("2024-01-05") == "2024年1月5日", "no leading zeros in Chinese dates"
    assert format_date_zh("") == ""

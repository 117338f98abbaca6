"""zhtext.places: place names read by their administrative suffixes."""

from zhtext.places import jurisdiction_of, split_jurisdiction


def test_jurisdiction_is_the_issuer_without_its_department():
    assert jurisdiction_of("吉林省民政厅") == "吉林省"
    assert jurisdiction_of("青禾市民政局") == "青禾市"
    assert jurisdiction_of("青禾市松岭县民政局") == "青禾市松岭县"
    assert jurisdiction_of("松岭县民政局") == "松岭县"
    assert jurisdiction_of("云泽市白石区民政局") == "云泽市白石区"
    assert jurisdiction_of("内蒙古自治区民政厅") == "内蒙古自治区"
    assert jurisdiction_of("青禾市城市管理局") == "青禾市"  # 城市 is no place
    assert jurisdiction_of("青禾市市场监督管理局") == "青禾市"
    assert jurisdiction_of("省民政厅") == ""


def test_a_jurisdiction_splits_into_its_levels_largest_first():
    assert split_jurisdiction("青禾市松岭县") == ("青禾市", "松岭县")
    assert split_jurisdiction("吉林省") == ("吉林省",)
    assert split_jurisdiction("某某办公室") == ("某某办公室",), "a name that is not all places stays whole"

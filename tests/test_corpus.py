import pytest

from index.corpus import add_document, remove_document, safe_file_name
from index.errors import DocumentError

TEXT = "关于助餐的答复\n（一）推进老年助餐。建成助餐点321个。\n".encode()


def test_upload_is_written_under_a_safe_name(tmp_path):
    path, source = add_document(tmp_path, "../../etc/助餐 答复?.TXT", TEXT, max_bytes=1000)
    assert path == tmp_path / "助餐-答复.txt" and path.read_bytes() == TEXT
    assert source.name == "助餐-答复.txt" and "321" in source.text
    assert safe_file_name("a/b/c.docx") == "c.docx"


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("a.exe", TEXT, "只支持"),
        ("big.txt", TEXT * 100, "文件太大"),
        ("empty.txt", b"   ", "没有文字"),
        ("bad.pdf", b"%PDF garbage", "已损坏"),
    ],
)
def test_bad_uploads_are_refused_and_leave_nothing(tmp_path, name, data, message):
    with pytest.raises(DocumentError, match=message):
        add_document(tmp_path, name, data, max_bytes=1000)
    assert list(tmp_path.iterdir()) == []


def test_existing_name_is_not_overwritten(tmp_path):
    add_document(tmp_path, "a.txt", TEXT, max_bytes=1000)
    with pytest.raises(DocumentError, match="同名"):
        add_document(tmp_path, "a.txt", b"other", max_bytes=1000)
    assert (tmp_path / "a.txt").read_bytes() == TEXT


def test_remove_only_inside_the_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (tmp_path / "outside.txt").write_text("keep", encoding="utf-8")
    add_document(corpus, "a.txt", TEXT, max_bytes=1000)
    with pytest.raises(DocumentError, match="没有这个文件"):
        remove_document(corpus, "../outside.txt")
    path, data = remove_document(corpus, "a.txt")
    assert not path.exists() and data == TEXT and (tmp_path / "outside.txt").exists()

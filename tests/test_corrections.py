"""index.corrections: staff sidecars override what a reply's text does not say, and nothing else."""

import json

import pytest

from index.corrections import checked, corrected, read_corrections, write_corrections
from index.errors import DocumentError
from index.loading import read_file
from index.records import DocMeta

TEXT = "关于助餐的答复\n一、工作开展情况\n已建成老年助餐点321个。\n"


def test_a_sidecar_overrides_the_parsed_fields_it_names(tmp_path):
    reply = tmp_path / "答复.txt"
    reply.write_text(TEXT, encoding="utf-8")
    plain = read_file(reply)
    (tmp_path / "答复.txt.meta.json").write_text(
        json.dumps({"jurisdiction": "马鞍山市花山区", "doc_number": "花民函〔2024〕3号", "title": " "}),
        encoding="utf-8",
    )
    fixed = read_file(reply)
    assert fixed.text == plain.text and fixed.sha256 != plain.sha256, "a changed correction re-reads the document"
    assert fixed.corrections == (("jurisdiction", "马鞍山市花山区"), ("number", "花民函〔2024〕3号"))
    meta = corrected(DocMeta("d", "关于助餐的答复", issuer="花山区民政局", jurisdiction="花山区"), fixed.corrections)
    assert (meta.jurisdiction, meta.number, meta.title) == ("马鞍山市花山区", "花民函〔2024〕3号", "关于助餐的答复")


def test_without_a_sidecar_a_file_hashes_as_its_text_alone(tmp_path):
    import hashlib

    reply = tmp_path / "答复.txt"
    reply.write_text(TEXT, encoding="utf-8")
    assert read_file(reply).sha256 == hashlib.sha256(TEXT.encode()).hexdigest(), "existing indexes stay valid"


def test_a_corrected_issuer_names_the_place_when_nothing_else_does():
    meta = corrected(DocMeta("d", "t"), (("issuer", "汀溪县民政局"),))
    assert (meta.issuer, meta.jurisdiction) == ("汀溪县民政局", "汀溪县")


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ({"date": "2024/5/11"}, "2024-05-11"),
        ({"date": "2024-02-30"}, "2024-05-11"),
        ({"jurisdiction": "花山"}, "完整的地名"),
        ({"place": "花山区"}, "不认识的字段 place"),
        ({"issuer": 3}, "应是不超过"),
    ],
)
def test_a_bad_value_is_refused_with_how_to_write_it(raw, says):
    with pytest.raises(DocumentError, match=says):
        checked(raw, "x.txt.meta.json")


def test_a_broken_sidecar_is_an_error_that_names_it(tmp_path):
    reply = tmp_path / "答复.txt"
    (tmp_path / "答复.txt.meta.json").write_text("{jurisdiction: 青禾市}", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"答复.txt.meta.json: 不是有效的 JSON"):
        read_corrections(reply, "答复.txt")


def test_writing_nothing_but_empty_values_removes_the_sidecar(tmp_path):
    reply = tmp_path / "答复.txt"
    reply.write_text(TEXT, encoding="utf-8")
    assert write_corrections(reply, {"date": "2024-05-11"}) == (("date", "2024-05-11"),)
    assert json.loads((tmp_path / "答复.txt.meta.json").read_text(encoding="utf-8")) == {"date": "2024-05-11"}
    assert write_corrections(reply, {"date": ""}) == () and not (tmp_path / "答复.txt.meta.json").exists()

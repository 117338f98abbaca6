"""The fictional replies in tests/fixtures/forms, written in the forms real departments publish
(header blocks, shortened or missing signatures, the place only in the title, the addressee or the
文号's code): every field parses as EXPECTED.json says, or stays empty where the text does not say it,
and each place says which line it was read from."""

import json
from pathlib import Path

import pytest

from index.loading import read_file
from index.parsing import parse_document

FORMS = Path(__file__).parent / "fixtures" / "forms"
EXPECTED = json.loads((FORMS / "EXPECTED.json").read_text(encoding="utf-8"))
FIELDS = ("title", "number", "addressee", "issuer", "jurisdiction", "date")


def meta_of(name: str):
    return parse_document(read_file(FORMS / name).text, Path(name).stem, source=name).meta


def test_every_form_has_expectations():
    assert sorted(p.name for p in FORMS.glob("*.txt")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_field_parses_as_a_careful_reader_reads_it(name):
    meta = meta_of(name)
    assert {field: getattr(meta, field) for field in FIELDS} == {field: EXPECTED[name][field] for field in FIELDS}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_place_and_issuer_say_where_they_were_read(name):
    meta = meta_of(name)
    sources = EXPECTED[name]["sources"]
    assert (meta.origin_of("issuer"), meta.origin_of("jurisdiction")) == (sources["issuer"], sources["jurisdiction"])


def test_a_reply_that_names_no_place_is_left_unknown_not_guessed():
    meta = meta_of("noplace-nodate-dafu-home-modification.txt")
    assert (meta.jurisdiction, meta.issuer, meta.date) == ("", "", "")

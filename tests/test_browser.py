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
from pathlib import Path

import pytest

from index.settings import ROOT
from tests.conftest import free_port

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
    subprocess.run([sys.executable, "-m", "index", "build"], cwd=ROOT, env=env, check=True, capture_output=True)
    log = (root / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/api/health", process, root / "server.log")
    yield url, corpus
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
    assert "没有讲到" in refusal and "12345" in refusal


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


def test_large_type_and_contrast_toggles(server, page):
    url, _ = server
    page.goto(url)
    page.wait_for_selector("#yl-xl", timeout=30000)
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#yl-question textarea')).fontSize)")
    assert size >= 20, "large type by default"
    page.click("#yl-xl")
    page.wait_for_function("document.body.classList.contains('yl-xl')")
    bigger = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#yl-question textarea')).fontSize)")
    assert bigger > size
    page.click("#yl-contrast")
    assert page.evaluate("document.body.classList.contains('yl-contrast')")


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


def test_clearing_the_chat_resets_what_feedback_records(server, page):
    url, corpus = server
    page.goto(url)
    page.wait_for_selector("#yl-question textarea", timeout=30000)
    ask(page, "全省有多少家养老机构？", 0)
    page.locator("#yl-chat button[aria-label='清空对话']").click()  # the Chatbot's own clear button
    page.wait_for_function("document.querySelectorAll('.yl-answer').length === 0", timeout=30000)
    ask(page, "护理型床位有多少张？", 0)
    page.locator("#yl-chat button[aria-label='赞']").first.click()
    page.wait_for_function("document.querySelector('#yl-notice').innerText.includes('谢谢')", timeout=30000)
    saved = [json.loads(line) for line in (corpus.parent / "data" / "feedback.jsonl").read_text().splitlines()]
    assert saved[-1]["question"] == "护理型床位有多少张？" and "8.31万" in saved[-1]["answer"]


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

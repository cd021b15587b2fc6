"""The chat in a real browser (Debian's Chromium via Playwright): ask, watch the answer stream in,
click its citation, see the supporting text highlighted beside the chat."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rag import Settings
from rag.library import Library
from rag.llm import local_available
from ui.server import serve

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
QUESTION = "How many Huawei affiliates were added to the economic blacklist?"

# Records, in the page, whether a draft was ever shown before the checked answer replaced it.
WATCH_DRAFT = """() => { window.sawDraft = false;
  new MutationObserver(() => { if (document.querySelector('#chat .rag-checking')) window.sawDraft = true; })
    .observe(document.body, {subtree: true, childList: true, characterData: true}); }"""


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make setup-test` installs it (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def chat(seeded_home, tmp_path_factory):
    from tests.conftest import pick_port

    home = tmp_path_factory.mktemp("browser") / "home"
    shutil.copytree(seeded_home, home)  # the test uploads; the shared seeded index stays read-only
    backend = "local" if local_available() else "extractive"  # local streams a draft; CI has it installed
    server = serve(Library(Settings(home=home, llm=backend)), port=pick_port(), block=False)
    yield server, backend
    server.close()


@pytest.mark.slow
def test_ask_stream_click_citation_and_see_the_highlight(browser, chat, tmp_path):
    server, backend = chat
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server.url, wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea", timeout=60_000)
    page.evaluate(WATCH_DRAFT)
    page.locator("#question textarea").fill(QUESTION)
    page.locator("#ask").click()

    citation = page.locator("#chat a.rag-cite").first
    citation.wait_for(timeout=120_000)
    answer = page.locator("#chat .rag-answer").last.inner_text()
    assert "38" in answer and "[1]" in answer
    if backend == "local":
        assert page.evaluate("window.sawDraft"), "the draft was never shown while the model wrote it"

    citation.click()
    highlight = page.locator("#passage-panel mark")
    highlight.wait_for(timeout=10_000)
    assert "38 of the company’s affiliates" in highlight.inner_text()
    assert "huawei-moves-us-investments-to-russia.txt" in page.locator("#passage-panel").inner_text()

    shot = tmp_path / "chat.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("RAG_SCREENSHOT_DIR"):  # how the README's picture is made
        shutil.copy(shot, Path(os.environ["RAG_SCREENSHOT_DIR"]) / "chat.png")


@pytest.mark.slow
def test_upload_from_the_page_and_new_chat(browser, chat, tmp_path):
    server, _ = chat
    note = tmp_path / "ferns.md"
    note.write_text("# Ferns\n\nFerns reproduce by spores rather than seeds.\n")
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server.url, wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea", timeout=60_000)
    page.locator("#documents-panel button.label-wrap").click()
    page.locator("#upload input[type=file]").set_input_files([str(note), str(bad)])
    page.locator("#index-files").click()
    status = page.locator("#upload-status")
    page.wait_for_function("() => document.querySelector('#upload-status').innerText.includes('indexed')", timeout=60_000)
    text = status.inner_text()
    assert "1 of 2 file(s) indexed" in text and "empty.txt" in text
    assert "Ferns" in page.locator("#documents").inner_text()

    page.locator("#question textarea").fill("How do ferns reproduce?")
    page.locator("#ask").click()
    page.locator("#chat a.rag-cite").first.wait_for(timeout=120_000)
    assert "spores" in page.locator("#chat .rag-answer").last.inner_text()
    page.locator("#new-chat").click()
    page.wait_for_function("() => !document.querySelector('#chat .rag-answer')", timeout=10_000)

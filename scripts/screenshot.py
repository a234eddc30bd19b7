"""docs/screenshot-phone.png and docs/screenshot-desktop.png: the page after a question and a
follow-up, in Debian's Chromium, at 390×844 (the first screen, as a phone shows it) and 1440×900
(the whole page, one citation opened in its context).

Starts `assistant serve` on a free port. Prints where the key fact's top edge lies on the phone.
Chinese glyphs need a CJK font (Debian: fonts-noto-cjk; emoji: fonts-noto-color-emoji).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadbench import start_server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update"]
TURNS = (("泾河新城开办企业要多久？", "1 个工作日"), ("牵头单位是谁？", "市监分局"))


def converse(page: Page) -> None:
    page.wait_for_selector("#question textarea")
    for turn, (question, expected) in enumerate(TURNS, 1):
        page.fill("#question textarea", question)
        page.click("#ask")
        page.wait_for_function(f"document.querySelector('#answer-panel .answer-box')?.dataset.turn === '{turn}'")
        page.wait_for_function(f"document.querySelector('#answer-panel').innerText.includes('{expected}')")
    page.wait_for_timeout(500)


def main() -> int:
    out = ROOT / "docs"
    out.mkdir(exist_ok=True)
    proc, url = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
            phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
            phone.set_default_timeout(30_000)
            phone.goto(url + "/", wait_until="domcontentloaded")
            converse(phone)
            top = phone.evaluate("document.querySelector('#answer-panel .key-fact').getBoundingClientRect().top"
                                 " + window.scrollY")
            phone.screenshot(path=str(out / "screenshot-phone.png"))
            print(f"phone 390×844: the key fact's top edge is {top:.0f} px from the page top")

            desktop = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            desktop.set_default_timeout(30_000)
            desktop.goto(url + "/", wait_until="domcontentloaded")
            converse(desktop)
            desktop.locator("#citations details.citation-card").first.locator("details.context > summary").click()
            desktop.evaluate("window.scrollTo(0, 0)")
            desktop.wait_for_timeout(300)
            desktop.screenshot(path=str(out / "screenshot-desktop.png"), full_page=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    print(f"wrote {out / 'screenshot-phone.png'} and {out / 'screenshot-desktop.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

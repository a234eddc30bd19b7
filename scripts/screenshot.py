"""docs/screenshot.png: the page after a question and a follow-up, in Debian's Chromium.

Starts `assistant serve` on a free port, asks, opens the first citation's context, and saves a
full-page screenshot. Chinese glyphs need a CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadbench import start_server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update"]


def main() -> int:
    out = ROOT / "docs" / "screenshot.png"
    proc, url = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.set_default_timeout(30_000)
            page.goto(url + "/", wait_until="domcontentloaded")
            page.wait_for_selector("#question textarea")
            for question, expected in (("泾河新城开办企业要多久？", "1 个工作日"), ("牵头单位是谁？", "市监分局")):
                page.fill("#question textarea", question)
                page.click("#ask")
                page.wait_for_function(f"document.querySelector('#key-fact').innerText.includes('{expected}')")
            page.locator("#citations details.citation-card").first.locator("details.context > summary").click()
            page.wait_for_timeout(500)
            out.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(out), full_page=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

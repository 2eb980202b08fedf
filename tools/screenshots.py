"""Take headless Chromium screenshots of pages, signed in as a demo user, to look at what we build.

Usage: .venv/bin/python tools/screenshots.py http://127.0.0.1:8000 /path/one/ /path/two/ [--as EMAIL] [--width N]
Writes var/screenshots/<path>.png (desktop, and -narrow.png at phone width).
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--as", dest="email", default="priya.raman@demo.copsite.example")
    parser.add_argument("--password", default="copsite-demo")
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()
    out = Path("var/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for width, suffix in ((args.width, ""), (390, "-narrow")):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("console", lambda m: m.type == "error" and print("console error:", m.text))
            if args.email:
                page.goto(f"{args.base}/accounts/login/")
                page.fill("input[name=login]", args.email)
                page.fill("input[name=password]", args.password)
                page.click("button[type=submit]")
                page.wait_for_load_state("load")
            for path in args.paths:
                page.goto(f"{args.base}{path}")
                name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
                page.screenshot(path=str(out / f"{name}{suffix}.png"), full_page=True)
                print(out / f"{name}{suffix}.png")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()

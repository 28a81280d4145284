"""`make screenshots`: the README's pictures of the tracker, made afresh from the demo.

It fills a throwaway SQLite database with the 2016 plan and the demo users (as `make run`
does), serves it with `runserver` on a free port, and photographs the pages in Debian's
Chromium through Playwright, as the demo's users see them, into docs/screenshots/. The
pictures say what the tracker looks like at the commit that made them: run it again after a
change of the interface.

    python docs/screenshots.py [--chromium /usr/bin/chromium] [--only dashboard,mobile-list]
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Shot:
    """One picture: who looks, at which page, how wide, and what to do first."""

    name: str
    user: str
    path: str
    viewport: dict
    caption: str
    before: str = ""  # the name of a function below that prepares the page


SHOTS = [
    Shot("dashboard", "manager", "/dashboard/", DESKTOP, "The dashboard of a manager"),
    Shot("mobile-list", "staff", "/commitments/", PHONE, "The commitment list on a phone"),
    Shot(
        "mobile-list-filters",
        "staff",
        "/commitments/",
        PHONE,
        "The list's filters, opened",
        before="open_filters",
    ),
    Shot("my-work", "official", "/", DESKTOP, "My work of an official"),
    Shot("letters", "official", "/letters/", DESKTOP, "Follow-up letters and their state"),
    Shot(
        "letter-lifecycle",
        "official",
        "/letters/",
        DESKTOP,
        "A follow-up letter: postpone, cancel or record as sent",
        before="open_first_letter",
    ),
    Shot(
        "kamer-overview",
        "staff",
        "/commitments/overview/",
        DESKTOP,
        "The overview for the Kamer",
        before="pick_the_minister",
    ),
    Shot(
        "commitment",
        "official",
        "/commitments/",
        DESKTOP,
        "A commitment with its timeline",
        before="open_first_commitment",
    ),
]


def open_filters(page) -> None:
    page.locator("details.filter-panel > summary").click()


def pick_the_minister(page) -> None:
    page.locator("#id_bewindspersoon").select_option(index=1)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def open_first_letter(page) -> None:
    page.locator("main table a[href^='/letters/']").first.click()
    page.wait_for_load_state()


def open_first_commitment(page) -> None:
    page.locator("main a[href^='/commitments/'][href$='/']").filter(has_text="-").first.click()
    page.wait_for_load_state()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", CHROMIUM))
    parser.add_argument("--only", default="", help="comma-separated names of pictures")
    args = parser.parse_args()
    wanted = {name for name in args.only.split(",") if name}
    shots = [shot for shot in SHOTS if not wanted or shot.name in wanted]
    with tempfile.TemporaryDirectory(prefix="tracker-screenshots-") as var_dir:
        environment = {
            **os.environ,
            "DEBUG": "1",
            "TRACKER_VAR_DIR": var_dir,
            "DATABASE_URL": f"sqlite:///{var_dir}/tracker.sqlite3",
        }
        manage = [sys.executable, "manage.py"]
        for command in (["migrate", "--noinput"], ["load_plan"], ["setup_demo"]):
            subprocess.run(
                manage + command + ["--verbosity", "0"],
                env=environment,
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        password = (Path(var_dir) / "demo_password").read_text().strip()
        port = _free_port()
        server = subprocess.Popen(
            manage + ["runserver", "--noreload", f"127.0.0.1:{port}"],
            env=environment,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base)
            made = _photograph(shots, base=base, password=password, chromium=args.chromium)
        finally:
            server.terminate()
            server.wait(timeout=10)
    for path in made:
        print(path.relative_to(ROOT))
    return 0


def _photograph(shots, *, base: str, password: str, chromium: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    made = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            for shot in shots:
                context = browser.new_context(base_url=base, locale="nl-NL", viewport=shot.viewport)
                page = context.new_page()
                page.goto("/accounts/login/")
                page.locator("#id_username").fill(shot.user)
                page.locator("#id_password").fill(password)
                with page.expect_navigation():
                    page.locator("main form button[type=submit]").first.click()
                page.goto(shot.path)
                if shot.before:
                    globals()[shot.before](page)
                path = OUTPUT / f"{shot.name}.png"
                page.screenshot(path=path, full_page=True)
                made.append(path)
                context.close()
        finally:
            browser.close()
    return made


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(base: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


if __name__ == "__main__":
    sys.exit(main())

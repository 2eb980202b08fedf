"""Deployment files: docker-compose.yml validates; the embedded default works end to end."""

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.fixtures.services import ROOT, free_port


def test_docker_compose_config_validates():
    """`docker-compose config` accepts the file (installed by .ci/run, so this cannot skip)."""
    tool = shutil.which("docker-compose")
    assert tool, (
        "docker-compose is missing: .ci/run installs it (apt-get install --no-install-recommends docker-compose)"
    )
    result = subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), "config"],
        env={"PATH": os.environ["PATH"], "SECRET_KEY": "compose-config-check"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for service in ("web:", "worker:", "beat:", "db:", "redis:", "mail:"):
        assert service in result.stdout
    assert "healthcheck" in result.stdout
    assert "pgdata" in result.stdout and "media" in result.stdout


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        (None, "SITE_URL=http://127.0.0.1:18751 "),
        ("https://cops.example.org", "SITE_URL=https://cops.example.org "),
    ],
)
def test_make_run_links_follow_the_port_unless_site_url_is_set(site_url, expected):
    """Issue 14, item 9: with `PORT=18751 make run`, mail and feed links pointed at port 8000."""
    env = {key: value for key, value in os.environ.items() if key != "SITE_URL"}
    if site_url:
        env["SITE_URL"] = site_url
    result = subprocess.run(
        ["make", "-n", "run", "PORT=18751"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (serve,) = [line for line in result.stdout.splitlines() if "runserver" in line]
    assert serve.startswith(expected) and serve.endswith("runserver 127.0.0.1:18751")


class Browserless:
    """A tiny HTTP client with cookies, enough to log in through the real forms."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": self.base + path},
        )
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()


@pytest.mark.slow
def test_embedded_default_migrates_seeds_and_serves_every_main_page(tmp_path):
    """What `make run` does, with no PostgreSQL or Redis: SQLite, in-process tasks, demo logins work."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "copsite.settings",
        **{key: value for key, value in os.environ.items() if key.startswith("COVERAGE")},
    }
    manage = [sys.executable, "manage.py"]

    def run(*command: str) -> str:
        result = subprocess.run(
            [*manage, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("migrate", "--noinput")
    seeded = run("seed_demo")
    assert "priya.raman@demo.copsite.example" in seeded
    password = re.search(r"password: ([^)]+)\)", seeded).group(1)
    # Every kind of digest is built on SQLite too (issue 14, item 8: the member digest failed there).
    for kind in ("member_digest", "coordinator_digest", "sponsor_report"):
        assert "would send" in run("send_digests", "--kind", kind, "--dry-run")

    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        site = Browserless(f"http://127.0.0.1:{port}")
        for _ in range(100):
            try:
                status, body = site.get("/healthz")
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200
        assert '"mode": "in-process"' in body and '"vendor": "sqlite"' in body

        status, login_page = site.get("/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        status, home = site.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "login": "priya.raman@demo.copsite.example", "password": password},
        )
        assert "Welcome, Priya" in home
        for path in ("/c/", "/calendar/", "/library/", "/members/", "/members/?q=lean", "/search/?q=lean"):
            status, _ = site.get(path)
            assert status == 200, path
        # Numbers beyond 64 bits typed into a URL get the nearest valid page, never a 500 (issue 14, item 3).
        status, library = site.get("/library/")
        resource = re.search(r'href="(/c/[^/"]+/library/\d+/)"', library).group(1)
        huge = "922337203685477581000"
        for path in (
            f"/search/?q=lean&type=discussions&page={huge}",
            f"/search/?q=lean&type=resources&page=-{huge}",
            f"/c/?unit={huge}",
            f"/members/?unit={huge}",
            f"{resource}history/?a={huge}&b=-{huge}",
            f"{resource}history/?page={huge}",
        ):
            status, _ = site.get(path)
            assert status in (200, 404), f"{path} answered {status}"
        status, body = site.get("/static/vendor/htmx/htmx.min.js")
        assert status == 200

        # Staff's pages, the mail previews of every kind among them.
        staff = Browserless(site.base)
        status, login_page = staff.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        staff.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": token,
                "login": "amara.okafor@demo.copsite.example",
                "password": password,
            },
        )
        community = re.search(r'href="(/c/(?!attention/|propose/)[a-z0-9-]+/)"', staff.get("/c/")[1]).group(1)
        for path in (
            "/dashboard/",
            "/constellation/",
            "/insights/preview/",
            "/insights/preview/member_digest/",
            "/insights/preview/coordinator_digest/",
            "/insights/preview/sponsor_report/",
            community,
            f"{community}members/",
            f"{community}activities/",
            f"{community}discussions/",
            f"{community}library/",
            f"{community}health/",
            "/c/attention/",
        ):
            status, _ = staff.get(path)
            assert status == 200, path
        assert status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)

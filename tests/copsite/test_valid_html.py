"""Every page a crawl of the demo reaches is valid HTML, per the W3C Nu validator (issue 14, item 19).

The crawl follows same-site links from the home page as a member, a coordinator, a sponsor and staff (and the
sign-in pages without an account), on the demo data `make run` shows, keeping at most a few pages per URL name so
the run stays short. All pages are checked in one run of vnu.jar (npm's `vnu-jar`, installed by `make test` with
`npm ci`, run with the machine's Java).
"""

import json
import re
import shutil
import subprocess
from collections import Counter, deque
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from copsite.demo.members import demo_email
from tests.fixtures.services import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ROLES = {
    "member": demo_email("Priya Raman"),
    "coordinator": demo_email("Jonas Becker"),
    "sponsor": demo_email("Fatima Zahra El Idrissi"),
    "staff": demo_email("Amara Okafor"),
}
# Pages per URL name and role: enough to meet each template with different data, few enough to stay fast.
PER_NAME = 2
# Not pages: downloads, feeds, the admin (Django's own markup), signing out, htmx-only fragments.
SKIP = re.compile(
    r"^/(static|media|admin)/|\.(ics|csv|json|png|svg)$|/accounts/logout/|/feed|/export|/download"
)
HREF = re.compile(r'href="(/[^"]*)"')


def url_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def crawl(client: Client, start: list[str], pages: dict[str, str], label: str) -> int:
    """Breadth-first over same-site links; store each HTML page's text in `pages` under a readable name."""
    seen: set[str] = set()
    per_name: Counter[str] = Counter()
    queue = deque(start)
    count = 0
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        name = url_name(path)
        if name is None or per_name[name] >= PER_NAME:
            continue
        per_name[name] += 1
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        text = response.content.decode()
        pages[f"{label} {path}"] = text
        count += 1
        for link in HREF.findall(text):
            link = urldefrag(unescape(link)).url
            if (
                link
                and not link.startswith("//")
                and not SKIP.search(urlsplit(link).path)
                and link not in seen
            ):
                queue.append(link)
    return count


def validate(pages: dict[str, str], folder) -> list[str]:
    """One vnu.jar run over every page; its errors as 'page: message (extract)'."""
    java = shutil.which("java")
    assert java, "Java is missing: .ci/run installs it (apt-get install default-jre-headless)"
    assert VNU.exists(), "vnu.jar is missing: `make test` installs it with `npm ci` (package.json)"
    names = {}
    for index, (label, text) in enumerate(sorted(pages.items())):
        file = folder / f"page-{index:04d}.html"
        file.write_text(text)
        names[file.name] = label
    result = subprocess.run(
        [java, "-Xss4m", "-jar", str(VNU), "--format", "json", "--exit-zero-always", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(result.stderr)["messages"]
    return [
        f"{names.get(m['url'].rsplit('/', 1)[-1], m['url'])}: {m['message']} ({m.get('extract', '').strip()})"
        for m in messages
        if m["type"] == "error"
    ]


def test_the_validator_catches_what_it_is_here_for(tmp_path):
    """The check can fail: microseconds in `datetime` and bare `hx-*` attributes are errors."""
    page = (
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        '<time datetime="2026-12-04T00:50:37.991505+01:00">now</time><a href="/" hx-get="/">x</a></body></html>'
    )
    errors = validate({"sample": page}, tmp_path)
    assert len(errors) == 2 and "fraction of a second" in errors[0] and "hx-get" in errors[1]

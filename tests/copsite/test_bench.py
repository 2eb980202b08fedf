"""`make bench` (benchmarks/bench.py) without a server: the floor page, the pages it rotates over with who views
them, the sessions it makes, the wrk script and the table. The real run is `make bench` (docs/performance.md)."""

import importlib.util
from pathlib import Path

import pytest
from django.urls import reverse

from tests.benchdata import seed_scaled

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

pytestmark = pytest.mark.django_db


def test_ping_is_a_signed_in_trivial_page(client, member):
    response = client.get(reverse("ping"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(member)
    response = client.get(reverse("ping"))
    assert response.status_code == 200
    assert response.content == b"pong"


def test_pages_rotate_over_objects_their_viewers_may_see(staff):
    seed_scaled(1)
    member = bench.the_member()
    assert bench.add_long_threads(member, rotate=2) > 0
    assert bench.add_long_threads(member, rotate=2) == 0  # safe to run again: they have 50 replies now
    pages = bench.pages(rotate=2)
    bench.sign_in(pages)
    by_name = {page.name: page for page in pages}
    assert len(by_name) == 11

    threads = by_name["discussion with 50 replies"].targets
    assert len({target.path.split("/discussions/")[0] for target in threads}) == 2  # two communities
    assert by_name["members directory"].targets[1].path.endswith("?page=2")
    assert {target.user for target in by_name["dashboard (all communities)"].targets} == {staff}
    # Each community home is seen by one of its coordinators, each health page by one of its sponsors.
    for target in by_name["community home"].targets:
        slug = target.path.strip("/").split("/")[1]
        assert target.user.memberships.coordinators().filter(community__slug=slug).exists()
    for target in by_name["community health"].targets:
        slug = target.path.strip("/").split("/")[1]
        assert target.user.sponsorships.filter(community__slug=slug).exists()

    for page in pages:
        assert page.targets, page.name
        assert all(target.cookie.startswith("sessionid=") for target in page.targets)
        bench.count_queries(page)  # every URL answers 200 to its viewer's session (SystemExit otherwise)
        assert len(page.queries) == len(page.targets)
        assert min(page.queries) > 0


def test_wrk_script_rotates_over_paths_with_their_cookies_and_sizes():
    targets = [
        bench.Target("/a/", None, "sessionid=one", 1000),
        bench.Target("/b/?page=2", None, "sessionid=two", 900),
    ]
    script = bench.lua_script(targets)
    assert 'local targets = {{"/a/", "sessionid=one"}, {"/b/?page=2", "sessionid=two"}}' in script
    assert "local sizes = {900, 1000}" in script
    assert "local tolerance = 0.02" in script


def test_table_shows_each_page_beside_its_floor():
    page = bench.Page(
        "home",
        "member",
        [bench.Target("/", None, size=19_500), bench.Target("/", None, size=20_500)],
        queries=[7, 8],
        result={"rps": 57.0, "floor_rps": 800.0, "shares": [0.065, 0.07125, 0.08], "p95": 140.4, "errors": 0},
    )
    text = bench.table([page])
    assert text.splitlines()[0].startswith("| page | viewer | URLs | queries | bytes |")
    assert text.splitlines()[-1] == (
        "| home | member | 2 | 7-8 | 20 KB | 57 | 800 | 7.1 % (6.5 to 8.0) | 140 ms | 0 |"
    )
    page.result["shares"] = [0.07125]  # one round: no range
    assert "| 7.1 % | 140 ms |" in bench.table([page])

"""`make bench`: each page of issue 17's table under load, beside a signed-in floor on the same server.

Usage (PostgreSQL and Redis running, `wrk` installed):
    make bench                       # or: .venv/bin/python benchmarks/bench.py
    BENCH_SECONDS=3 make bench       # shorter runs (default 5 s per wrk run; 3 rounds per page, BENCH_ROUNDS)
    .venv/bin/python benchmarks/bench.py --setup-only   # only create the benchmark database

1. The benchmark database (BENCH_DATABASE_URL, default copsite_bench on the local PostgreSQL) is created when
   missing: `migrate`, `seed_demo --scale 100` (10,000 members, 300 communities, 100,000 posts), a staff
   account (the scaled set has none) and `VACUUM ANALYZE`. Later runs only `migrate` it.
2. gunicorn serves the site as production does (DEBUG off, 2 sync workers, whitenoise's manifest static files,
   sessions in Redis) over plain HTTP on a free local port; the search limit is raised so wrk is not refused.
3. Sessions are made directly with Django's session engine for a member, coordinators, sponsors and staff.
4. Each page rotates over several objects (different discussions, communities, result pages, each with a
   viewer who may see it) so no single hot row is measured. Every URL is fetched once first (it must answer
   200); under load, every response must be a 200 within 2 % of the size of one of the page's URLs.
5. Per page, rounds (BENCH_ROUNDS, 3) of two wrk runs in a row: the floor (`/ping/`, a signed-in trivial view)
   at 16 connections, then the page at 16 connections; then one run of the page at 4 connections (its p95). A
   round's share of the floor = the page's req/s over the floor's measured just before it, so both see the same
   machine; the table shows the median round (and the range of the rounds' shares): one slow or fast moment of a
   shared machine moves a single run by 20 % either way, the median of three much less.
Queries are counted in this process with Django's test client against the same database (the second of two
requests, as tests/querycount.py does). The table is printed and written to var/bench/latest.md.
"""

import argparse
import datetime
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/copsite_bench")
SCALE = int(os.environ.get("BENCH_SCALE", "100"))
STAFF_EMAIL = "bench-staff@copsite.example"
ROTATE = 8  # objects per page
SIZE_TOLERANCE = 0.02  # relative times ("3 minutes ago") may change a page's length a little

# Production-like settings for gunicorn and for this process (which counts queries and makes sessions).
SERVER_ENV = {
    "DATABASE_URL": BENCH_DATABASE_URL,
    "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
    "CACHE_KEY_PREFIX": "copsite-bench",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SITE_URL": "http://127.0.0.1",
    # Plain HTTP on the loopback: no redirect to HTTPS, cookies without the Secure flag.
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "STATIC_ROOT": str(OUT / "static"),
    "STATIC_MANIFEST": "true",
    "RATE_LIMITS": "search=1000000/m",
    "LOG_LEVEL": "WARNING",
}


def manage(*args: str) -> None:
    env = os.environ | SERVER_ENV
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def _admin_connection():
    import psycopg

    server, _, name = BENCH_DATABASE_URL.rpartition("/")
    return psycopg.connect(f"{server}/postgres", autocommit=True), name


def ensure_database() -> None:
    """Create and seed the benchmark database when it is missing; migrate it otherwise."""
    admin, name = _admin_connection()
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(
                f"Creating the benchmark database {name} (seed_demo --scale {SCALE}: several minutes)",
                flush=True,
            )
            admin.execute(f'CREATE DATABASE "{name}"')
    if exists:
        manage("migrate", "--noinput", "-v", "0")
        return
    try:
        started = time.monotonic()
        manage("migrate", "--noinput", "-v", "0")
        manage("seed_demo", "--scale", str(SCALE))
        manage(
            "shell",
            "-v",
            "0",
            "-c",
            "from members.models import User; "
            f"User.objects.create_user(email={STAFF_EMAIL!r}, password=None, full_name='Bench Staff', "
            "is_staff=True)",
        )
        import psycopg

        with psycopg.connect(BENCH_DATABASE_URL, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        print(f"Benchmark database ready in {time.monotonic() - started:.0f} s", flush=True)
    except BaseException:
        # A half-seeded database would be measured as if complete: drop it, the next run starts again.
        admin, name = _admin_connection()
        with admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        raise


# --- What is measured ------------------------------------------------------------------------------------------


@dataclass
class Target:
    path: str
    user: object  # members.models.User
    cookie: str = ""
    size: int = 0


@dataclass
class Page:
    name: str
    viewer: str
    targets: list[Target]
    queries: list[int] = field(default_factory=list)
    result: dict = field(default_factory=dict)


def setup_django() -> None:
    os.environ.update(SERVER_ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "copsite.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


REPLY_TEXTS = [
    "We tried this last quarter. Three things helped:\n\n1. a **short** checklist\n2. a named owner\n"
    "3. a review after two weeks\n\nThe checklist is in [the library](/library/).",
    "Same here. The hard part was *keeping* it going once the first enthusiasm wore off.",
    "A snippet we use:\n\n```\nmake check && make deploy\n```\n\nIt saved us a few late evenings.",
    "> How do you handle this in your team?\n\nWe pair a newcomer with someone from the core group for a month.",
    "Could you share the template? We are about to start the same thing in our unit.",
]


def forget_cache() -> None:
    """Start from an empty cache (its prefix only): what a former run kept was made by other code or before bulk
    writes, which bump no version (the seeding, the long threads)."""
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(f"{SERVER_ENV['CACHE_KEY_PREFIX']}:*", count=1000))
    if keys:
        client.delete(*keys)


def the_member():
    """The member: the benchmark person in the most communities (the fullest home page and calendar)."""
    from django.db.models import Count, Q

    from communities.models import Membership
    from members.models import User

    active = Q(memberships__in=Membership.objects.active())
    return (
        User.objects.filter(is_staff=False, email__endswith="@bench.copsite.example")
        .annotate(n=Count("memberships", filter=active))
        .order_by("-n", "pk")
        .first()
    )


def add_long_threads(member, rotate: int = ROTATE) -> int:
    """Bring `rotate` discussions, in different communities `member` may see, to 50 replies each (the scaled set
    has at most five per discussion), in bulk as the seeders do; returns how many replies it added. Safe to run
    again: discussions that have 50 already count."""
    from datetime import timedelta

    from django.db.models import Max
    from django.utils import timezone

    from activities.discussions.markup import render_post
    from activities.discussions.models import Discussion, Reply
    from communities.models import Community, Membership

    visible = Community.objects.visible_to(member).filter(archived_at__isnull=True)
    long = Discussion.objects.filter(community__in=visible, reply_count__gte=50)
    done = set(long.values_list("community_id", flat=True))
    if len(done) >= rotate:
        return 0
    rendered = [(text, render_post(text)) for text in REPLY_TEXTS]
    now, added = timezone.now(), 0
    candidates = Discussion.objects.filter(
        community__in=visible, deleted_at__isnull=True, hidden_at__isnull=True
    )
    for discussion in candidates.exclude(community_id__in=done).order_by("-reply_count", "pk"):
        if discussion.community_id in done:
            continue
        done.add(discussion.community_id)
        people = list(
            Membership.objects.active()
            .filter(community_id=discussion.community_id)
            .values_list("user_id", flat=True)
        )
        last = discussion.replies.aggregate(last=Max("created_at"))["last"] or discussion.created_at
        start = min(last, now - timedelta(days=30))
        replies = []
        for n in range(max(1, 50 - discussion.reply_count)):
            text, html = rendered[n % len(rendered)]
            replies.append(
                Reply(
                    discussion=discussion,
                    author_id=people[n % len(people)],
                    body=text,
                    body_html=html,
                    created_at=start + timedelta(hours=5 * (n + 1)),
                )
            )
        Reply.objects.bulk_create(replies)
        added += len(replies)
        discussion.reply_count = discussion.replies.shown().count()
        discussion.last_activity_at = replies[-1].created_at
        discussion.save(update_fields=["reply_count", "last_activity_at"])
        if len(done) >= rotate:
            break
    return added


def one_per_community(pairs) -> list:
    """(community, person) pairs, the first of each community."""
    seen, kept = set(), []
    for community, person in pairs:
        if community.pk not in seen:
            seen.add(community.pk)
            kept.append((community, person))
    return kept


def pages(rotate: int = ROTATE) -> list[Page]:
    """The pages of issue 17's table, each with `rotate` URLs (fewer where fewer exist) and who views them."""
    from django.urls import reverse

    from activities.discussions.models import Discussion
    from communities.models import Community, Membership, Sponsorship
    from members.models import User

    member = the_member()
    staff = User.objects.filter(is_staff=True, is_active=True).order_by("pk").first()
    visible = Community.objects.visible_to(member).filter(archived_at__isnull=True)
    communities = list(visible.order_by("-pk")[:rotate])

    # Discussions with (about) 50 replies, in different communities the member may see.
    discussions, seen = [], set()
    candidates = Discussion.objects.filter(community__in=visible).select_related("community")
    for discussion in candidates.filter(reply_count__gte=50).order_by("reply_count", "pk")[: rotate * 20]:
        if discussion.community_id not in seen:
            seen.add(discussion.community_id)
            discussions.append(discussion)
        if len(discussions) == rotate:
            break

    # Each coordinator on their own community's home page; each sponsor on their community's health page.
    coordinators = one_per_community(
        (m.community, m.user)
        for m in Membership.objects.coordinators()
        .filter(community__in=visible)
        .select_related("community", "user")
        .order_by("-community_id", "pk")[: rotate * 5]
    )[:rotate]
    sponsors = one_per_community(
        (s.community, s.sponsor)
        for s in Sponsorship.objects.in_current()
        .select_related("community", "sponsor")
        .order_by("-community_id", "pk")[: rotate * 5]
    )[:rotate]
    numbered = range(1, rotate + 1)
    return [
        Page(
            "discussion with 50 replies",
            "member",
            [Target(d.get_absolute_url(), member) for d in discussions],
        ),
        Page(
            "members directory",
            "member",
            [Target(f"{reverse('members:directory')}?page={n}", member) for n in numbered],
        ),
        Page(
            "library",
            "member",
            [Target(f"{reverse('repertoire:library')}?page={n}", member) for n in numbered],
        ),
        Page('search "coaching"', "member", [Target(f"{reverse('search')}?q=coaching", member)]),
        Page(
            "community home",
            "coordinator",
            [Target(reverse("communities:home", args=[c.slug]), user) for c, user in coordinators],
        ),
        Page(
            "community members",
            "member",
            [Target(reverse("communities:members", args=[c.slug]), member) for c in communities],
        ),
        Page("home", "member", [Target(reverse("home"), member)]),
        Page("my calendar", "member", [Target(reverse("activities:calendar"), member)]),
        Page(
            "community health",
            "sponsor",
            [Target(reverse("insights:community", args=[c.slug]), user) for c, user in sponsors],
        ),
        Page("constellation", "staff", [Target(reverse("insights:constellation"), staff)]),
        Page("dashboard (all communities)", "staff", [Target(reverse("insights:dashboard"), staff)]),
    ]


def sign_in(pages_: list[Page]) -> dict:
    """A session per person, made with Django's session engine (the server reads the same Redis)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    engine = import_module(settings.SESSION_ENGINE)
    cookies = {}
    for page in pages_:
        for target in page.targets:
            if target.user.pk not in cookies:
                session = engine.SessionStore()
                session[SESSION_KEY] = str(target.user.pk)
                session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
                session[HASH_SESSION_KEY] = target.user.get_session_auth_hash()
                session.create()
                cookies[target.user.pk] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
            target.cookie = cookies[target.user.pk]
    return cookies


def count_queries(page: Page) -> None:
    """Each URL's queries in this process, the second of two requests (the first fills per-user caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for target in page.targets:
        client = Client()
        name, _, key = target.cookie.partition("=")
        client.cookies[name] = key
        client.get(target.path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(target.path)
        if response.status_code != 200:
            raise SystemExit(f"{target.path} answered {response.status_code} in process")
        page.queries.append(len(captured.captured_queries))


# --- The server and wrk ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "copsite.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ | SERVER_ENV)  # noqa: S603 - our own command
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return server
        except urllib.error.HTTPError:
            return server  # it answers (503 when the Celery worker is not running)
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def drain(base: str, floor: Target) -> None:
    """Wait until the server has answered what the last wrk run left queued: two quick floor requests in a row."""
    quick = 0
    while quick < 2:
        started = time.monotonic()
        fetch(base, floor)
        quick = quick + 1 if time.monotonic() - started < 0.1 else 0


def fetch(base: str, target: Target) -> int:
    """One request; the body's length, which must be a 200 (a redirect to the sign-in page is an error)."""
    request = urllib.request.Request(base + target.path, headers={"Cookie": target.cookie})  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=120) as response:
            return len(response.read())
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{target.path} answered {error.code}, not 200") from None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


LUA = r"""
local targets = %(targets)s
local sizes = %(sizes)s
local tolerance = %(tolerance)s
local threads = {}
local counter = 1
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter = offset + 1
  bad_status = 0
  bad_size = 0
  ok = 0
end
function request()
  local target = targets[(counter - 1) %% #targets + 1]
  counter = counter + 1
  return wrk.format("GET", target[1], {["Cookie"] = target[2]})
end
function response(status, headers, body)
  if status ~= 200 then bad_status = bad_status + 1; return end
  local length = #body
  for _, size in ipairs(sizes) do
    if math.abs(length - size) <= tolerance * size then ok = ok + 1; return end
  end
  bad_size = bad_size + 1
end
function done(summary, latency, requests)
  local good, status, size = 0, 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("ok")
    status = status + thread:get("bad_status")
    size = size + thread:get("bad_size")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %%d, "seconds": %%.3f, "p50": %%.1f, "p95": %%.1f, "p99": %%.1f, "ok": %%d, ' ..
    '"bad_status": %%d, "bad_size": %%d, "socket_errors": %%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, good, status, size, e.connect + e.read + e.write + e.timeout))
end
"""


def lua_script(targets: list[Target]) -> str:
    def quoted(text: str) -> str:
        return json.dumps(text)  # a JSON string is a valid Lua string for ASCII paths and cookies

    rows = ", ".join(f"{{{quoted(t.path)}, {quoted(t.cookie)}}}" for t in targets)
    sizes = ", ".join(str(size) for size in sorted({t.size for t in targets}))
    return LUA % {"targets": f"{{{rows}}}", "sizes": f"{{{sizes}}}", "tolerance": SIZE_TOLERANCE}


def wrk(base: str, targets: list[Target], *, connections: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(targets))
    try:
        command = [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "60s",
            "-s",
            script.name,
            base,
        ]
        run = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    finally:
        os.unlink(script.name)
    line = next((line for line in run.stdout.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{run.stdout}\n{run.stderr}")
    result = json.loads(line.removeprefix("BENCH "))
    result["rps"] = result["ok"] / result["seconds"]
    result["errors"] = result["bad_status"] + result["bad_size"] + result["socket_errors"]
    return result


# --- The table ----------------------------------------------------------------------------------------------------


def kilobytes(sizes: list[int]) -> str:
    return f"{statistics.mean(sizes) / 1000:.0f} KB" if statistics.mean(sizes) >= 1000 else f"{sizes[0]} B"


def span(values: list[int]) -> str:
    return str(min(values)) if min(values) == max(values) else f"{min(values)}-{max(values)}"


def rate(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def share(value: float, floor: float, shares: list[float]) -> str:
    """The median round's share of the floor, and the range of all rounds' when there were several."""
    if not floor:
        return "no floor"
    spread = f" ({100 * shares[0]:.1f} to {100 * shares[-1]:.1f})" if len(shares) > 1 else ""
    return f"{100 * value / floor:.1f} %{spread}"


def table(rows: list[Page]) -> str:
    lines = [
        "| page | viewer | URLs | queries | bytes | req/s (16 conn.) | floor req/s | share of the floor (rounds) "
        "| p95 (4 conn.) "
        "| errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page in rows:
        r = page.result
        lines.append(
            f"| {page.name} | {page.viewer} | {len(page.targets)} | {span(page.queries)} "
            f"| {kilobytes([t.size for t in page.targets])} | {rate(r['rps'])} | {r['floor_rps']:.0f} "
            f"| {share(r['rps'], r['floor_rps'], r['shares'])} | {r['p95']:.0f} ms | {r['errors']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup-only", action="store_true", help="only create (or migrate) the database")
    args = parser.parse_args()
    ensure_database()
    if args.setup_only:
        return
    if not shutil.which("wrk"):
        raise SystemExit("make bench needs wrk (Debian and Ubuntu: apt-get install wrk)")
    seconds = int(os.environ.get("BENCH_SECONDS", "5"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    setup_django()
    forget_cache()
    added = add_long_threads(the_member())
    if added:
        print(f"Added {added} replies: {ROTATE} discussions of 50 replies", flush=True)
    manage("collectstatic", "--noinput", "-v", "0")
    rows = pages()
    sign_in(rows)
    floor_target = Target("/ping/", rows[0].targets[0].user, rows[0].targets[0].cookie)
    for page in rows:
        count_queries(page)
    port = free_port()
    server = start_server(port, workers)
    base = f"http://127.0.0.1:{port}"
    try:
        floor_target.size = fetch(base, floor_target)
        for page in rows:
            for target in page.targets:
                target.size = fetch(base, target)
        started = time.monotonic()
        for page in rows:
            measured = []  # (floor, page) per round
            errors = 0
            for _ in range(rounds):
                drain(base, floor_target)
                floor = wrk(base, [floor_target], connections=16, seconds=seconds)
                loaded = wrk(base, page.targets, connections=16, seconds=seconds)
                measured.append((floor["rps"], loaded["rps"]))
                errors += floor["errors"] + loaded["errors"]
            drain(base, floor_target)
            p95 = wrk(base, page.targets, connections=4, seconds=seconds)
            shares = sorted(loaded / floor for floor, loaded in measured)
            median = sorted(measured, key=lambda pair: pair[1] / pair[0])[len(measured) // 2]
            page.result = {
                "rps": median[1],
                "floor_rps": median[0],
                "shares": shares,
                "p95": p95["p95"],
                "errors": errors + p95["errors"],
            }
            print(
                f"{page.name}: {median[1]:.1f} req/s, floor {median[0]:.0f} (rounds: "
                f"{', '.join(f'{100 * value:.1f} %' for value in shares)}), p95 {p95['p95']:.0f} ms",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    load = os.getloadavg()
    heading = (
        f"{datetime.datetime.now(datetime.UTC).date().isoformat()}, {os.cpu_count()} cores, gunicorn {workers} sync workers, "
        f"wrk -t2 {seconds} s per run, median of {rounds} rounds, {time.monotonic() - started:.0f} s in all, "
        "load average at the end "
        f"{load[0]:.1f}"
    )
    text = f"{heading}\n\n{table(rows)}\n"
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "latest.md").write_text(text)
    print()
    print(text)
    if any(page.result["errors"] for page in rows):
        raise SystemExit("some responses were not a 200 of the expected size (the errors column)")


if __name__ == "__main__":
    main()

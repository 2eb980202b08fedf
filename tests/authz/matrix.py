"""The machinery of the authorization matrix: expectation grids, rows, the URL walk, and the check of one route in
one community for every role and method.

A cell is (route, community kind, role, method). Its expected outcome is one of:

| outcome | meaning |
|---------|---------|
| `ok`    | allowed: 2xx or a redirect that is not to the login page; an allowed POST wrote the rows its route names |
| `no`    | answered in the page with the reason (200, 302 or 400), and nothing written: e.g. joining twice |
| `login` | a redirect to the login page |
| `401`, `403`, `404`, `405` | that status (401: an API that takes tokens, not sessions, e.g. SCIM) |
| `-`     | not applicable (the role has no object of that kind, e.g. no reply of their own) |

Every refused cell (all but `ok`) must write nothing (INSERT, UPDATE and DELETE statements are captured); no
login, 403, 404 or 405 response, and no response at all to someone who may not see the private community's
content, may contain MARKER.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.authz.world import KINDS, MARKER, PLACE_ROLES, ROLES, Place, World

OUTCOMES = {"ok", "no", "login", "401", "403", "404", "405", "-"}
METHODS = ("GET", "POST")
SITE = "site"  # the grid line of a URL outside any community
_HEADER = (
    "anon",
    "outsider",
    "peripheral",
    "core",
    "coordinator",
    "other_coord",
    "sponsor",
    "removed",
    "staff",
)


@dataclass(frozen=True)
class Grid:
    """Expected outcomes by community kind (or SITE) and role, parsed from a table written for people to read."""

    cells: dict[tuple[str, str], str]
    text: str = ""

    def __getitem__(self, key: tuple[str, str]) -> str:
        return self.cells[key]


def grid(text: str) -> Grid:
    """Parse a grid: a header naming the nine roles, then one line per community kind (or one `site` line).

    A line may be written as one word for every role (`private  404`) when it is the same for all, or as two
    (`private  login no`): the anonymous visitor's, then everyone else's."""
    lines = [line.split() for line in text.strip().splitlines() if line.strip()]
    header, rows = lines[0], lines[1:]
    if tuple(header) != _HEADER:
        raise ValueError(f"A grid's header names the roles in this order: {' '.join(_HEADER)}")
    cells = {}
    for label, *outcomes in rows:
        if label not in (*KINDS, SITE):
            raise ValueError(f"Unknown grid line {label!r}")
        if len(outcomes) == 1:
            outcomes = outcomes * len(ROLES)
        elif len(outcomes) == 2:
            outcomes = [outcomes[0]] + [outcomes[1]] * (len(ROLES) - 1)
        if len(outcomes) != len(ROLES) or not set(outcomes) <= OUTCOMES:
            raise ValueError(f"Grid line {label!r} needs one of {sorted(OUTCOMES)} per role: {outcomes}")
        cells |= {(label, role): outcome for role, outcome in zip(ROLES, outcomes, strict=True)}
    return Grid(cells, text)


def uniform(outcome: str) -> Grid:
    """The same outcome for every role, in every kind of community and outside them."""
    return Grid({(kind, role): outcome for kind in (*KINDS, SITE) for role in ROLES})


NOT_ALLOWED = uniform("405")


@dataclass
class Ctx:
    """What a row's parameters and body are built from: the world, the community of the URL and the role."""

    world: World
    kind: str | None
    role: str

    @property
    def place(self) -> Place:
        return self.world.places[self.kind or "private"]

    @property
    def slug(self) -> str:
        return self.place.community.slug

    @property
    def user(self):
        return self.world.person(self.role, self.kind)

    @property
    def own_role(self) -> str:
        """Whose own object the role opens: their own where they have one; the anonymous visitor tries the
        peripheral member's."""
        if self.role == "anon":
            return "peripheral"
        if self.role not in PLACE_ROLES:
            raise LookupError(f"{self.role} has nothing of their own in a community")
        return self.role

    def token(self, role: str | None = None) -> str:
        """A calendar feed token: the role's own, or the peripheral member's for the anonymous visitor."""
        user = self.world.person(role or self.role, self.kind) or self.world.person("peripheral", self.kind)
        return self.world.tokens[user.pk]


@dataclass
class Row:
    """One route's expected outcomes. `name` is the URL name (or, for unnamed routes, the route itself)."""

    name: str
    GET: Grid
    POST: Grid
    params: Callable[[Ctx], dict[str, Any]] | None = None
    body: dict | Callable[[Ctx], dict] = field(default_factory=dict)
    query: dict | Callable[[Ctx], dict] = field(default_factory=dict)  # the GET request's query string
    writes: tuple[str, ...] = ()  # tables an allowed POST must write to
    get_writes: tuple[str, ...] = ()  # tables an allowed GET may write to (e.g. a token made on first visit)
    target: str = ""  # which object of several the URL names, when a route has more than one row
    xfail: dict[tuple[str, str | None, str], str] = field(
        default_factory=dict
    )  # (method, kind, role): reason
    in_community: bool = True  # requested in each kind of community (else once, as SITE)

    @property
    def label(self) -> str:
        return f"{self.name}[{self.target}]" if self.target else self.name

    def kinds(self) -> tuple[str | None, ...]:
        return KINDS if self.in_community else (None,)


def walk(patterns=None, prefix: str = "", namespace: str | None = None):
    """(route, name) of every URL pattern of the project: ours, allauth's and the admin's."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name


ADMIN_PREFIX = "admin/"


def row_key(route: str, name: str | None) -> str:
    """The matrix key of a pattern: the admin's wildcard, its name, or the route of an unnamed pattern."""
    if route.startswith(ADMIN_PREFIX):
        return ADMIN_PREFIX
    return name or route


def missing_rows(rows: list[Row], patterns=None) -> list[str]:
    """Patterns of the URL resolver that no row covers."""
    covered = {row.name for row in rows}
    return sorted({row_key(route, name) for route, name in walk(patterns)} - covered)


def stale_rows(rows: list[Row]) -> list[str]:
    """Rows naming no pattern of the URL resolver."""
    known = {row_key(route, name) for route, name in walk()}
    return sorted({row.name for row in rows} - known)


# --- Checking one route ---------------------------------------------------------------------------------------

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
IGNORED_TABLES = ('"django_session"',)  # the session is not domain data (and lives in Redis on PostgreSQL)


class Writes:
    """Captures the INSERT/UPDATE/DELETE statements a request runs."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if WRITE.match(sql) and not any(table in sql for table in IGNORED_TABLES):
            self.statements.append(sql)
        return execute(sql, params, many, context)

    def touched(self, table: str) -> bool:
        return any(f'"{table}"' in sql for sql in self.statements)

    def summary(self) -> str:
        return "; ".join(sql[:90] for sql in self.statements[:4])


class Clients:
    """One logged-in test client per person, logged in again after a request changed or ended its session."""

    def __init__(self) -> None:
        self._clients: dict[int | None, Client] = {}
        self._stale: set[int | None] = set()

    def for_user(self, user) -> Client:
        key = user.pk if user else None
        client = self._clients.get(key)
        if client is None or key in self._stale:
            client = Client()
            if user is not None:
                client.force_login(user)
            self._clients[key] = client
            self._stale.discard(key)
        return client

    def after(self, user, response) -> None:
        """Forget messages; a response that set or cleared the session cookie makes the client log in again."""
        client = self._clients[user.pk if user else None]
        client.cookies.pop("messages", None)
        if settings.SESSION_COOKIE_NAME in response.cookies:
            self._stale.add(user.pk if user else None)


def _body_text(response) -> str:
    if getattr(response, "streaming", False):
        # The test client closes the response itself; closing it again would close the database connection.
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def _is_login_redirect(response) -> bool:
    location = response.headers.get("Location", "").split("?")[0]
    return response.status_code == 302 and location in (
        resolve_url(settings.LOGIN_URL),
        reverse("admin:login"),
    )


def _actual(response) -> str:
    if _is_login_redirect(response):
        return "login"
    if response.status_code in (401, 403, 404, 405):
        return str(response.status_code)
    return f"{response.status_code}"


def _matches(expected: str, response, writes: Writes, row: Row, method: str) -> str | None:
    """None when the response is the expected outcome, else what differed."""
    status = response.status_code
    actual = _actual(response)
    if expected in ("login", "401", "403", "404", "405"):
        return None if actual == expected else f"got {actual}"
    if actual == "login":
        return "got login"
    if expected == "no":
        if status not in (200, 302, 400):
            return f"got {status}"
        return None
    # ok
    if status >= 400 or status in (301,):
        return f"got {status}"
    if method == "POST":
        missing = [table for table in row.writes if not writes.touched(table)]
        if missing:
            return f"got {status} but nothing written to {', '.join(missing)}"
    return None


@dataclass
class CellResult:
    method: str
    kind: str | None
    role: str
    path: str
    problem: str | None


def run_cell(
    row: Row, world: World, clients: Clients, kind: str | None, role: str, method: str
) -> CellResult:
    """Request one cell inside a savepoint that is rolled back, and compare it with the row's expectation."""
    grid_for = getattr(row, method)
    expected = grid_for[(kind or SITE, role)]
    ctx = Ctx(world=world, kind=kind, role=role)
    kwargs = row.params(ctx) if row.params else {}
    path = reverse(row.name, kwargs=kwargs) if row.name != ADMIN_PREFIX else reverse("admin:index")
    body = row.body(ctx) if callable(row.body) else row.body
    user = ctx.user
    client = clients.for_user(user)
    writes = Writes()
    problem = None
    with transaction.atomic():
        try:
            with connection.execute_wrapper(writes):
                if method == "GET":
                    response = client.get(path, row.query(ctx) if callable(row.query) else row.query)
                else:
                    response = client.post(path, body)
        except Exception as error:  # noqa: BLE001 - a crash is a finding of the cell, not of the whole route
            transaction.set_rollback(True)
            return CellResult(method, kind, role, path, f"expected {expected}: raised {error!r}"[:300])
        transaction.set_rollback(True)
    clients.after(user, response)
    text = _body_text(response)
    problems = []
    differs = _matches(expected, response, writes, row, method)
    if differs:
        problems.append(differs)
    refused = expected != "ok"
    allowed_writes = row.get_writes if method == "GET" else row.writes
    if (refused or method == "GET") and writes.statements:
        unexpected = [sql for sql in writes.statements if not any(f'"{t}"' in sql for t in allowed_writes)]
        if refused or unexpected:
            problems.append(f"wrote: {writes.summary()}")
    # A refusal shows nothing of the community; a "no" page may show what its reader may see anyway.
    if MARKER in text and (expected not in ("ok", "no") or not world.may_see_private(user)):
        problems.append("shows the private community's content")
    problem = f"expected {expected}: " + "; ".join(problems) if problems else None
    return CellResult(method, kind, role, path, problem)


def check_route(row: Row, world: World, clients: Clients, kind: str | None, cells=None) -> int:
    """Check every cell of a route in one community (or `cells` only); fail listing each wrong cell.
    Returns how many cells were checked."""
    problems = []
    checked = 0
    for method in METHODS:
        for role in ROLES:
            if cells is not None and (method, role) not in cells:
                continue
            if cells is None and (method, kind, role) in row.xfail:
                continue
            if getattr(row, method)[(kind or SITE, role)] == "-":
                continue
            result = run_cell(row, world, clients, kind, role, method)
            checked += 1
            if result.problem:
                problems.append(f"{method} {result.path} as {role}: {result.problem}")
    assert not problems, f"{row.label} in the {kind or 'site'} community:\n  " + "\n  ".join(problems)
    return checked


def cases(rows: list[Row]):
    """pytest parameters: one per route and community kind, plus one per known-defect cell (strict xfail)."""
    import pytest

    params = []
    for row in rows:
        for kind in row.kinds():
            params.append(pytest.param(row, kind, None, id=f"{row.label}-{kind or SITE}"))
        for (method, kind, role), reason in row.xfail.items():
            params.append(
                pytest.param(
                    row,
                    kind,
                    {(method, role)},
                    id=f"{row.label}-{kind or SITE}-{method}-{role}",
                    marks=pytest.mark.xfail(strict=True, reason=reason),
                )
            )
    return params

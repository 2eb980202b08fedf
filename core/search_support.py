"""What every app's search shares: cleaning a query, full-text search on PostgreSQL with a plain fallback on the
embedded SQLite default, and snippets where only the marks around matched words are markup.

Each app answers for its own content in `<app>/search.py` (already filtered to what the reader may see); the
site-wide search page in copsite composes them.
"""

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Count, Expression, F, Q, QuerySet, Window
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core import fragments, versions

MAX_QUERY = 200
CONFIG = "english"
# Markers PostgreSQL puts around matched words; no text a person types contains them (they are stripped).
START, STOP = "\x02", "\x03"
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Query:
    """A search query as typed, cleaned; `words` are what a plain match looks for."""

    text: str
    words: tuple[str, ...]

    @property
    def is_searchable(self) -> bool:
        return bool(self.words)


def clean_query(raw: str | None) -> Query:
    """Strip control characters, cut very long queries, and find the words (punctuation-only → no words)."""
    text = "".join(ch for ch in (raw or "") if unicodedata.category(ch)[0] != "C" or ch == " ")
    text = " ".join(text.split())
    if len(text) > MAX_QUERY:
        # Cut at a word boundary, so the last word is not a fragment that matches nothing.
        text = text[: MAX_QUERY + 1].rsplit(" ", 1)[0] if " " in text[:MAX_QUERY] else text[:MAX_QUERY]
    words = tuple(dict.fromkeys(w.lower() for w in WORD.findall(text) if len(w) > 1 or w.isdigit()))[:12]
    return Query(text=text, words=words)


def full_text() -> bool:
    """Whether the database does full-text search (PostgreSQL); the embedded SQLite default matches plainly."""
    return connection.vendor == "postgresql"


@dataclass
class Hit:
    """One search result, ready to show: its snippet is safe HTML where only <mark> is markup."""

    kind: str
    title: str
    url: str
    snippet: SafeString
    context: str = ""  # e.g. the community's name
    at: datetime | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Results:
    kind: str
    total: int
    hits: list[Hit]
    capped: bool = False  # the total is "at least": see CANDIDATES


def mark_headline(headline: str | None) -> SafeString:
    """Escape everything PostgreSQL returned, then turn its markers into <mark> elements."""
    text = escape((headline or "").replace("\n", " "))
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308 - escaped above


def plain_snippet(text: str, words: tuple[str, ...], *, width: int = 160) -> SafeString:
    """A snippet around the first matched word, escaped, with matches marked (the SQLite fallback)."""
    text = " ".join((text or "").split())
    lower = text.lower()
    positions = [lower.find(w) for w in words if lower.find(w) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    piece = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(piece) if words else []:
        out.append(escape(piece[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(piece[last:]))
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 - every piece escaped


def ranked(
    queryset: QuerySet, query: Query, *, vector_field: str = "search_vector", plain_fields: dict[str, int]
):
    """Filter and rank `queryset` by the query: full-text on PostgreSQL (the GIN-indexed stored vector, websearch
    syntax so quotes and operators never fail), otherwise a plain case-insensitive match, ranked by the weight of
    the field that matched (`plain_fields` maps field → weight)."""
    if full_text():
        search = SearchQuery(query.text, search_type="websearch", config=CONFIG)
        return queryset.filter(**{vector_field: search}).annotate(rank=SearchRank(F(vector_field), search))
    from django.db.models import Case, IntegerField, Value, When

    condition = Q()
    for word in query.words:
        per_word = Q()
        for name in plain_fields:
            per_word |= Q(**{f"{name}__icontains": word})
        condition &= per_word
    whens = [
        When(Q(**{f"{name}__icontains": query.words[0]}), then=Value(weight))
        for name, weight in sorted(plain_fields.items(), key=lambda item: -item[1])
    ]
    return queryset.filter(condition).annotate(
        rank=Case(*whens, default=Value(0), output_field=IntegerField())
    )


class _AnyOf(Expression):
    """`field = ANY(%s)`: one array parameter, however many ids (PostgreSQL)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, field: str, ids: Collection[int]) -> None:
        super().__init__()
        # An array literal as text: the driver sends one string instead of adapting every id.
        self.column, self.ids = F(field), "{" + ",".join(str(int(pk)) for pk in ids) + "}"

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.column = self.column.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return resolved

    def as_sql(self, compiler, connection) -> tuple[str, tuple]:
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s::bigint[])", (*params, self.ids)


def among(field: str, ids: Collection[int]) -> Q:
    """`field` is one of `ids`. On PostgreSQL the ids go as one array parameter (`= ANY(%s)`): a few hundred ids
    cost Django nothing to compile and PostgreSQL one plan either way; elsewhere a plain `IN (…)`."""
    if full_text():
        return Q(_AnyOf(field, ids))
    return Q(**{f"{field}__in": ids})


def counted_page(
    queryset: QuerySet, *, order_by: tuple[str, ...], offset: int, limit: int
) -> tuple[int, list]:
    """(total, the page of rows) in one query: the total rides on every row as `COUNT(*) OVER ()`, so the database
    finds the matches once instead of once for a count and again for the page. Only a page past the last one
    (no row to carry the total) costs a second query, a count."""
    page = list(
        queryset.annotate(search_total=Window(Count("pk"))).order_by(*order_by)[offset : offset + limit]
    )
    if page:
        return page[0].search_total, page
    return (queryset.count() if offset else 0), page


def headlines(model, pks: list[int], query: Query, *, field_name: str) -> dict[int, SafeString]:
    """Snippets for the results shown only (one query): PostgreSQL's ts_headline, escaped and marked."""
    if not pks:
        return {}
    if not full_text():
        rows = model.objects.filter(pk__in=pks).values_list("pk", field_name)
        return {pk: plain_snippet(text, query.words) for pk, text in rows}
    rows = (
        model.objects.filter(pk__in=pks)
        .annotate(headline=_headline(field_name, query))
        .values_list("pk", "headline")
    )
    return {pk: mark_headline(text) for pk, text in rows}


def _headline(field_name: str, query: Query) -> SearchHeadline:
    return SearchHeadline(
        field_name,
        SearchQuery(query.text, search_type="websearch", config=CONFIG),
        config=CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def with_headline(queryset: QuerySet, query: Query, *, field_name: str) -> QuerySet:
    """`queryset` with its snippet (`search_headline`, PostgreSQL's ts_headline of `field_name`) in the same query
    as the page's rows. PostgreSQL computes it for the rows returned only: it postpones such costly expressions
    past ORDER BY … LIMIT (`counted_page`), and `ranked_page` loads only the page's rows with it. On SQLite
    nothing is added: `snippet` makes the snippet from the text itself. The text itself is then not loaded on
    PostgreSQL (posts' and descriptions' bodies are long; the snippet replaces them): list it in an `only()`
    before this, for SQLite's snippet."""
    if not full_text():
        return queryset
    return queryset.annotate(search_headline=_headline(field_name, query)).defer(field_name)


def snippet(row, query: Query, *, field_name: str) -> SafeString:
    """The marked, escaped snippet of a row from a `with_headline` queryset."""
    if full_text():
        return mark_headline(row.search_headline)
    return plain_snippet(getattr(row, field_name), query.words)


def strip_markers(text: str) -> str:
    """Remove our marker characters from stored text (nobody types them; this guards the snippet escape)."""
    return (text or "").replace(START, "").replace(STOP, "")


# Common words match tens of thousands of rows: ranking all of them would cost more than the page is worth.
# On PostgreSQL the page is ranked among the first CANDIDATES matches the index yields, and the total is
# counted up to that number ("1,000+").
CANDIDATES = 1000


def ranked_page(
    matches: QuerySet, *, rows: QuerySet, order_by: tuple[str, ...], offset: int, limit: int
) -> tuple[int, bool, list]:
    """(total, whether the total is capped, the page of rows) for `matches`, a queryset from `ranked`; the page's
    rows are loaded from `rows` (the same model, with what a hit shows: `select_related`, `with_headline`) by id,
    in the order found, so the query that loads them carries no filter and no rank. Each row's `order_key` holds
    its values of `order_by`, for a caller that merges pages of two searches (`merged`).

    On PostgreSQL, two queries whatever the number of matches. The first takes the first CANDIDATES + 1 matches
    straight from the index (no ORDER BY inside: models' default ordering would make PostgreSQL sort every match)
    with the values `order_by` names, and ranks and counts those in the database, returning only the ids of the
    page (with their values of `order_by`) and the count. The second loads the page. (Ranking among a thousand
    candidate ids sent back as an array made PostgreSQL plan a sequential scan; fetching the candidates here cost
    more in Python than the database spent finding them.) Of CANDIDATES + 1 candidates the last in rank is never
    shown, so the pages hold at most CANDIDATES rows and the total reads "CANDIDATES+". On SQLite: a count, the
    page's ids, the page."""
    names = [name.lstrip("-") for name in order_by]
    if full_text():
        found, keyed = _ranked_candidates(matches, order_by=order_by, offset=offset, limit=limit)
        total, capped = min(found, CANDIDATES), found > CANDIDATES
    else:
        total, capped = matches.count(), False
        keyed = [
            (pk, tuple(values))
            for pk, *values in matches.order_by(*order_by).values_list("pk", *names)[offset : offset + limit]
        ]
    loaded = rows.order_by().in_bulk([pk for pk, _key in keyed]) if keyed else {}
    page = []
    for pk, order_key in keyed:
        if pk in loaded:
            loaded[pk].order_key = order_key
            page.append(loaded[pk])
    return total, capped, page


def _ranked_candidates(
    matches: QuerySet, *, order_by: tuple[str, ...], offset: int, limit: int
) -> tuple[int, list[tuple[int, tuple]]]:
    """(how many candidates, up to CANDIDATES + 1; the ids of the page among them, in order, each with its values
    of `order_by`): see `ranked_page`."""
    stop = min(offset + limit, CANDIDATES)
    names = [name.lstrip("-") for name in order_by]
    candidates = matches.order_by().values_list(*names)[: CANDIDATES + 1]
    if offset >= stop:
        return candidates.count(), []
    sql, params = candidates.query.sql_with_params()
    quote = connection.ops.quote_name
    order = ", ".join(
        f"candidate.{quote(name.lstrip('-'))} {'DESC' if name.startswith('-') else 'ASC'}"
        for name in order_by
    )
    columns = "".join(f", candidate.{quote(name)}" for name in names if name != "pk")
    with connection.cursor() as cursor:
        # The candidates' columns are named as `order_by` names them (values_list selects "… AS name").
        cursor.execute(
            f"SELECT candidate.{quote('pk')}, COUNT(*) OVER (){columns} FROM ({sql}) AS candidate "  # noqa: S608
            f"ORDER BY {order} LIMIT %s OFFSET %s",
            (*params, stop - offset, offset),
        )
        found = cursor.fetchall()
    if not found and offset:
        return candidates.count(), []  # a page past the last one: no row carried the count
    keyed = []
    for pk, _count, *values in found:
        by_name = dict(zip([name for name in names if name != "pk"], values, strict=True))
        keyed.append((pk, tuple(pk if name == "pk" else by_name[name] for name in names)))
    return (found[0][1] if found else 0), keyed


def merged(first: Results, second: Results, *, offset: int, limit: int) -> Results:
    """One page (`offset`, `limit`) of two searches of one group that share no row, each given as its first
    `offset + limit` hits (with their `order_key` in `Hit.extra`, from `ranked_page`, all in descending order):
    the hits of both in that order, and the totals added (capped at CANDIDATES, as one search's would be)."""
    hits = sorted([*first.hits, *second.hits], key=lambda hit: hit.extra["order_key"], reverse=True)
    found = first.total + second.total
    return Results(
        kind=first.kind,
        total=min(found, CANDIDATES),
        hits=hits[offset : offset + limit],
        capped=first.capped or second.capped or found > CANDIDATES,
    )


# --- Results kept in the cache --------------------------------------------------------------------------------


def kept(kind: str, names: Iterable[str], *, scoped: bool = True) -> Callable:
    """Keep a group's results (`search(scope, query, *, offset, limit)`) in the cache, shared by everyone whose
    search looks in the same communities: keyed by the query's text, the page asked, the communities searched
    (`scope.community_ids`, a digest; `scoped=False` for a group the same for every reader) and the versions
    `names` (`core.versions`, bumped by the saves of what the group shows: each app's apps.py), with the
    language and the release (`core.fragments.key`). The hits show no time, so the zone is not in the key.

    Only what depends on nothing of the viewer but the communities they may see can be kept this way: a group
    that shows more to some readers (drafts to their authors) asks before (`repertoire.search`). A scope whose
    communities are not listed (`community_ids` None) is searched anew."""
    names = tuple(names)

    def wrap(search: Callable[..., Results]) -> Callable[..., Results]:
        @wraps(search)
        def cached(scope, query: Query, *, offset: int = 0, limit: int = 5) -> Results:
            ids = getattr(scope, "community_ids", None)
            if scoped and ids is None:
                return search(scope, query, offset=offset, limit=limit)
            where = fragments.digest(sorted(ids)) if scoped else ""
            version = fragments.digest((query.text, offset, limit, where, versions.current(*names)))
            results_key = fragments.key(f"search-results-{kind}", "", version)
            results = cache.get(results_key)
            if results is None:
                results = search(scope, query, offset=offset, limit=limit)
                cache.set(results_key, results, fragments.TIMEOUT)
            return results

        cached.uncached = search
        return cached

    return wrap

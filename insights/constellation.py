"""The constellation of communities: who they share, the people who span them, and which org units take part where.

Communities are the nodes; two communities are linked when at least `k` people are active members of both. Only
communities the viewer may see take part (`Community.objects.visible_to`), so a private community,
its size and its links appear only to its members, its sponsors and staff; every count is made of memberships
in those communities alone. "Member" here means an active membership (the row's status), as on community pages.

`constellation()` runs a fixed number of aggregate queries whatever the number of communities (see its
docstring); the member counts, links, spanners and matrix are cached under a key holding the memberships' last
change, so a page view after the first reads only the communities in view and that change. What the page
shows below its filters is then the same for everyone with the same key: the view keeps it as fragments under
`Constellation.version`, and the nodes, tables and map are built only to render them. The map draws the
MAP_NODES most connected communities and the MAP_EDGES strongest links between them (the filters bring others
onto it); the tables come in pages, so that the page stays small at hundreds of communities. It lays the map
out in Python: a Fruchterman-Reingold force layout from a deterministic start, with a fixed number of
iterations, then a pass that pushes overlapping circles apart. The same data always gives the same picture.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, QuerySet
from django.urls import reverse

from communities.models import Community, Membership, Stage
from communities.search import COMMUNITIES_VERSION
from communities.selectors import memberships_stamp, org_unit_and_descendants, seen_communities
from core import versions
from core.fragments import digest, kept
from core.search_support import among
from insights.cached import ORG_UNITS_VERSION
from members.models import OrgUnit, Tag, User
from members.search import TAGS_VERSION

DEFAULT_K = 3
MIN_K, MAX_K = 1, 50
MAP_NODES = 60  # the most connected communities drawn on the map; the table lists them all
MAP_EDGES = 150  # the strongest links between them drawn (a dense map is unreadable anyway)
MAP_LABELS = 20  # the largest communities on the map carry their name; the others in their tooltip
LABEL_CHARS = 24
EDGE_ROWS = 40  # links listed in the table, strongest first
MATRIX_COLUMNS = 20  # largest communities in the org-unit matrix
SHOWN_TOPICS = 40  # topics offered by the topic filter, those on most communities
MATRIX_ROWS = 30  # org units in the matrix, those with most members first
SPANNERS = 15  # a page of boundary spanners
COMMUNITY_ROWS = 40  # a page of the communities table
SPANNER_MIN = 2

# Lifecycle stages on the map: grey and Okabe-Ito hues (darkened where needed), each at least 3:1 against white
# (WCAG 1.4.11) and told apart under the common colour-vision deficiencies; the legend, the table and every
# tooltip also name the stage, so colour is never the only signal.
STAGE_COLOURS = {
    Stage.POTENTIAL: "#6c757d",  # grey 4.7:1
    Stage.COALESCING: "#d55e00",  # vermillion 3.9:1
    Stage.MATURING: "#007a5a",  # bluish green 5.3:1
    Stage.STEWARDSHIP: "#0b4f8a",  # blue 8.4:1
    Stage.TRANSFORMATION: "#b95e96",  # reddish purple 4.1:1
}

# The map's drawing area (viewBox units; the SVG scales to its container).
WIDTH = 960
MIN_HEIGHT = 560  # grows by HEIGHT_PER_NODE per circle, so that a full map has room: 608 for 12, 800 for 60
HEIGHT_PER_NODE = 4
PADDING = 16  # between the drawing and the viewBox's edge
LABEL_ROOM = 18  # below a labelled circle, for its name
MIN_RADIUS = 5.0
MAX_EDGE_WIDTH = 9.0
LABEL_CHAR_WIDTH = 7.2  # average width of a character at font-size 13, to keep names apart
GAP = 8.0  # between the boxes of neighbouring circles
ITERATIONS = 100
GRAVITY = 0.15
SPRING_BASE = 0.2  # the pull of the weakest link, against 1 for the strongest
OVERLAP_PASSES = 120
LAYOUT_CACHE_SECONDS = 24 * 3600  # the layout is a pure function of its input: cached by a hash of it
LAYOUT_VERSION = 1  # bump when the algorithm changes, so cached layouts are not reused
FIGURES_CACHE_SECONDS = (
    600  # links, spanners and matrix: keyed by the memberships' last change, kept 10 minutes
)
FIGURES_VERSION = 3  # bump when what the figures hold changes
FIGURES_KEY = "insights:constellation:figures:"  # and a hash of their source (see `_figures`)


@dataclass
class Node:
    """A community in the constellation, with its number of (active) members counted for this view."""

    id: int
    name: str
    slug: str
    stage: str
    stage_label: str
    members: int
    is_private: bool
    is_archived: bool
    links: int = 0  # how many communities it shares at least k members with
    on_map: bool = False

    @cached_property
    def url(self) -> str:  # cached: a community appears in several tables
        return reverse("communities:home", args=[self.slug])

    @property
    def label(self) -> str:
        """Its name as the map writes it, shortened (the table and its circle's tooltip have it in full)."""
        return _label(self.name)

    @property
    def colour(self) -> str:
        return STAGE_COLOURS.get(self.stage, STAGE_COLOURS[Stage.POTENTIAL])


@dataclass(frozen=True)
class Edge:
    """Two communities that share `shared` active members (at least k)."""

    a: Node
    b: Node
    shared: int


@dataclass
class Spanner:
    """A person who is an active member of several of the communities shown (a boundary spanner)."""

    id: int
    name: str
    communities: list[Node] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.communities)

    @property
    def url(self) -> str:
        return reverse("members:profile", args=[self.id])


@dataclass
class UnitRow:
    """One org unit's active members in each column of the matrix (None for none)."""

    id: int
    name: str
    cells: list[tuple[Node, int | None]]
    total: int


@dataclass
class UnitMatrix:
    columns: list[Node]
    rows: list[UnitRow]
    columns_capped: bool  # more communities than MATRIX_COLUMNS
    units_total: int  # org units with members in the columns (rows shows at most MATRIX_ROWS)

    @property
    def rows_capped(self) -> bool:
        return self.units_total > len(self.rows)


@dataclass(frozen=True)
class PlacedNode:
    node: Node
    x: float
    y: float
    r: float
    labelled: bool

    @property
    def label(self) -> str:
        return _label(self.node.name)

    @property
    def title(self) -> str:
        """Its tooltip and its accessible name, the same words, so the name holds what a sighted user reads."""
        node = self.node
        words = (
            f"{node.name}: {node.members} member{'' if node.members == 1 else 's'}; stage: {node.stage_label}"
        )
        return words + ("; private" if node.is_private else "") + ("; archived" if node.is_archived else "")

    @property
    def label_y(self) -> float:
        return round(self.y + self.r + 14, 1)


@dataclass(frozen=True)
class PlacedEdge:
    edge: Edge
    x1: float
    y1: float
    x2: float
    y2: float
    width: float


@dataclass
class Layout:
    """The map: circles and lines in a width x height viewBox (edges weakest first, so strong ones lie on top)."""

    width: int
    height: int
    nodes: list[PlacedNode]
    edges: list[PlacedEdge]
    edges_capped: bool  # more links between the mapped communities than MAP_EDGES

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


class Constellation:
    """What the page shows. Only the communities' ids and the cached figures are read per request; the nodes,
    tables and map are built from them when first asked for (a page whose fragments are cached asks for none).

    `version` changes whenever anything shown below the filters would: it holds the filters, the caps, the
    communities in view with what the page shows of them, the memberships' last change, and a digest of the
    cached figures (so that an org unit renamed shows once the figures are counted again);
    `spanners_version` adds the page of spanners shown."""

    def __init__(
        self,
        *,
        k: int,
        rows: dict[int, tuple[str, str, str, bool, bool]],
        figures: _Figures,
        key: str,
        page: int = 1,
        spanner_page: int = 1,
    ) -> None:
        self.k = k
        self._rows = rows  # community id: name, slug, stage, private, archived
        self._figures = figures
        self.node_count = len(figures.order)
        self.edge_count = figures.edge_count
        self.spanner_page = spanner_page
        self.spanners_more = figures.spanners_more  # a next page of spanners
        self.has_spanners = bool(figures.spanners)
        self.pages = max(1, math.ceil(self.node_count / COMMUNITY_ROWS))
        self.page = min(max(1, page), self.pages)  # of the communities table
        self.key = key  # the cached figures' (FIGURES_KEY and this)
        self.version = f"{key[:32]}{figures.digest[:16]}"
        page_of_spanners = repr((figures.spanners, figures.spanners_more)).encode()
        self.spanners_version = f"{self.version}{hashlib.sha256(page_of_spanners).hexdigest()[:16]}"

    @cached_property
    def nodes(self) -> list[Node]:
        """Every community in view, largest first."""
        figures = self._figures
        on_map = set(figures.map_ids)
        labels = dict(Stage.choices)
        nodes = []
        for node_id in figures.order:
            name, slug, stage, is_private, is_archived = self._rows[node_id]
            nodes.append(
                Node(
                    id=node_id,
                    name=name,
                    slug=slug,
                    stage=stage,
                    stage_label=labels.get(stage, stage),
                    members=figures.members[node_id],
                    is_private=is_private,
                    is_archived=is_archived,
                    links=figures.links.get(node_id, 0),
                    on_map=node_id in on_map,
                )
            )
        return nodes

    @cached_property
    def by_id(self) -> dict[int, Node]:
        return {node.id: node for node in self.nodes}

    @cached_property
    def edges(self) -> list[Edge]:
        """The EDGE_ROWS strongest links, strongest first."""
        by_id = self.by_id
        return [Edge(by_id[a], by_id[b], n) for a, b, n in self._figures.table_edges]

    @cached_property
    def spanners(self) -> list[Spanner]:
        by_id = self.by_id
        return [
            Spanner(id=user_id, name=name, communities=[by_id[c] for c in community_ids])
            for user_id, name, community_ids in self._figures.spanners
        ]

    @cached_property
    def matrix(self) -> UnitMatrix:
        columns = self.nodes[:MATRIX_COLUMNS]
        return UnitMatrix(
            columns=columns,
            rows=[
                UnitRow(
                    id=unit,
                    name=name,
                    cells=[(column, cells.get(column.id)) for column in columns],
                    total=total,
                )
                for unit, name, cells, total in self._figures.matrix
            ],
            columns_capped=self.node_count > MATRIX_COLUMNS,
            units_total=self._figures.matrix_units,
        )

    @cached_property
    def layout(self) -> Layout:
        figures, by_id = self._figures, self.by_id
        return layout_map(
            [node for node in self.nodes if node.on_map],
            [Edge(by_id[a], by_id[b], n) for a, b, n in figures.map_edges],
            edges_capped=figures.map_edge_count > len(figures.map_edges),
        )

    @property
    def rows(self) -> list[Node]:
        """The communities table's page."""
        return self.nodes[(self.page - 1) * COMMUNITY_ROWS : self.page * COMMUNITY_ROWS]

    @property
    def first_row(self) -> int:
        return (self.page - 1) * COMMUNITY_ROWS + 1

    @property
    def last_row(self) -> int:
        return min(self.page * COMMUNITY_ROWS, self.node_count)

    @property
    def map_capped(self) -> bool:
        return self.node_count > MAP_NODES

    @property
    def edges_capped(self) -> bool:
        return self.edge_count > len(self._figures.table_edges)


def constellation(
    viewer: User,
    *,
    k: int = DEFAULT_K,
    org_unit_id: int | None = None,
    topic_id: int | None = None,
    stage: str | None = None,
    include_archived: bool = False,
    page: int = 1,
    spanner_page: int = 1,
) -> Constellation:
    """The communities `viewer` may see, their links (at least `k` shared active members), boundary spanners and
    the org-unit matrix, with the map's layout.

    `org_unit_id` counts only members from that unit and the units below it (communities without any drop out);
    `topic_id` keeps communities with that topic, `stage` those at that lifecycle stage; archived communities
    only when `include_archived`. `page` is the page of the communities table (COMMUNITY_ROWS a page),
    `spanner_page` that of the boundary spanners (SPANNERS a page).

    Queries: [the org-unit tree, with `org_unit_id`], 1 the communities in view, 2 the memberships' last change
    (`memberships_stamp`: two index lookups). What follows is cached under a key made of these (with the filters), so
    it runs once per change of the data, not per request: 3 the communities' active members, 4 the links (one
    self-join of active memberships on the person, grouped by the pair of communities, HAVING at least k), 5
    the page of spanners (people by number of communities) and 6 their memberships, 7 members per org unit
    and community for the matrix's columns. The layout is cached by a hash of its input.
    """
    if not MIN_K <= k <= MAX_K:
        raise ValueError(f"k must be between {MIN_K} and {MAX_K}")
    units = org_unit_and_descendants(org_unit_id) if org_unit_id else None
    communities = Community.objects.visible_to(viewer).archived_too(include_archived).at_stage(stage)
    if topic_id:
        communities = communities.filter(topics__id=topic_id)
    private = Community.Visibility.PRIVATE
    rows = {
        pk: (name, slug, stage, visibility == private, archived_at is not None)
        for pk, name, slug, stage, visibility, archived_at in communities.values_list(
            "pk", "name", "slug", "stage", "visibility", "archived_at"
        ).order_by()
    }
    spanner_page = max(1, spanner_page)
    figures, key = (
        _figures(rows, k=k, units=units, spanner_page=spanner_page) if rows else (_Figures.none(), "")
    )
    return Constellation(k=k, rows=rows, figures=figures, key=key, page=page, spanner_page=spanner_page)


@dataclass
class _Figures:
    """What the map and the tables need beyond the communities, as plain ids and numbers (cheap to cache)."""

    members: dict[int, int]  # community id: active members (counted in the org units chosen)
    order: list[int]  # the communities shown, largest first (those without members dropped, with org units)
    links: dict[int, int]  # community id: how many communities it shares at least k members with
    edge_count: int
    table_edges: list[tuple[int, int, int]]  # the EDGE_ROWS strongest links, strongest first
    map_ids: list[int]  # the MAP_NODES most connected communities
    map_edges: list[tuple[int, int, int]]  # the MAP_EDGES strongest links between them, strongest first
    map_edge_count: int  # every link between them
    matrix: list[
        tuple[int, str, dict[int, int], int]
    ]  # the MATRIX_ROWS org units shown: id, name, cells, total
    matrix_units: int  # org units with members in the matrix's columns
    digest: str = ""  # of all the above, made when they are counted
    # The page of spanners shown (id, name, community ids), from its own key:
    spanners: list[tuple[int, str, list[int]]] = field(default_factory=list)
    spanners_more: bool = False  # a next page of spanners

    @classmethod
    def none(cls) -> _Figures:
        return cls({}, [], {}, 0, [], [], [], 0, [], 0)


def _figures(rows: dict[int, tuple], *, k: int, units, spanner_page: int) -> tuple[_Figures, str]:
    """The figures of the communities in `rows`, cached until the memberships change, and their key.

    The key holds everything the figures and the page's tables are made of: the communities in view with what
    the page shows of them (so a viewer, a filter, a new or renamed community gives another key), k, the org
    units counted, the caps, and the memberships' stamp (so a join, a departure or a change
    of level or status gives another key). A person's directory listing, name, activity or org unit is not in
    it: such a change shows within FIGURES_CACHE_SECONDS."""
    stamp = memberships_stamp()
    caps = (
        EDGE_ROWS,
        MAP_NODES,
        MAP_EDGES,
        MAP_LABELS,
        LABEL_CHARS,
        SPANNERS,
        SPANNER_MIN,
        MATRIX_COLUMNS,
        MATRIX_ROWS,
        COMMUNITY_ROWS,
        FIGURES_VERSION,
        LAYOUT_VERSION,
    )
    unit_ids = sorted(units) if units is not None else None
    source = (caps, k, unit_ids, stamp, sorted(rows.items()))
    key = FIGURES_KEY + hashlib.sha256(repr(source).encode()).hexdigest()
    # The links and the matrix under one key, each page of spanners under its own: paging through the spanners
    # does not count the links again.
    found = cache.get_many([key, f"{key}:spanners:{spanner_page}"])
    figures, page = found.get(key), found.get(f"{key}:spanners:{spanner_page}")
    if figures is None or page is None:  # built only when something is counted
        memberships = Membership.objects.active().filter(community_id__in=list(rows))
        if units is not None:
            memberships = memberships.filter(user__org_unit__in=units)
    if figures is None:
        figures = _compute_figures(rows, memberships, k=k, units=units)
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    if page is None:
        page = _spanners(memberships, rows, spanner_page)
        cache.set(f"{key}:spanners:{spanner_page}", page, FIGURES_CACHE_SECONDS)
    figures.spanners, figures.spanners_more = page
    return figures, key.removeprefix(FIGURES_KEY)


def _compute_figures(rows: dict[int, tuple], memberships: QuerySet[Membership], *, k: int, units) -> _Figures:
    """Everything but the spanners (filled in by `_figures`)."""
    members = dict(memberships.values_list("community_id").annotate(n=Count("pk")).order_by())
    names = {node_id: row[0].casefold() for node_id, row in rows.items()}
    order = sorted(
        (node_id for node_id in rows if units is None or members.get(node_id, 0) > 0),
        key=lambda node_id: (-members.get(node_id, 0), names[node_id], node_id),
    )
    pairs = _pairs(memberships, k)
    links: dict[int, int] = defaultdict(int)
    for a, b, _ in pairs:
        links[a] += 1
        links[b] += 1

    def strongest_first(pair: tuple[int, int, int]) -> tuple:
        return (-pair[2], names[pair[0]], names[pair[1]])

    # The map: the most connected communities (by links, then members), so that the map shows the web.
    rank = {node_id: i for i, node_id in enumerate(order)}
    map_ids = sorted(
        sorted(order, key=lambda node_id: (-links.get(node_id, 0), rank[node_id]))[:MAP_NODES],
        key=rank.__getitem__,
    )
    on_map = set(map_ids)
    between = [pair for pair in pairs if pair[0] in on_map and pair[1] in on_map]
    matrix, matrix_units = _unit_matrix(memberships, order[:MATRIX_COLUMNS])
    figures = _Figures(
        members={node_id: members.get(node_id, 0) for node_id in order},
        order=order,
        links=dict(links),
        edge_count=len(pairs),
        table_edges=heapq.nsmallest(EDGE_ROWS, pairs, key=strongest_first),
        map_ids=map_ids,
        map_edges=heapq.nsmallest(MAP_EDGES, between, key=strongest_first),
        map_edge_count=len(between),
        matrix=matrix,
        matrix_units=matrix_units,
    )
    figures.digest = hashlib.sha256(repr(figures).encode()).hexdigest()
    return figures


def _pairs(memberships: QuerySet[Membership], k: int) -> list[tuple[int, int, int]]:
    """(community id, community id, shared members) for each pair of communities sharing at least k active
    members, in one query on PostgreSQL and SQLite alike: the memberships in view joined to themselves on the
    person (the second community's id greater, so each pair once), grouped by the pair, HAVING at least k.

    The ORM writes the memberships in view (with the org-unit filter's join); the self-join around them is plain
    SQL, which the ORM could only say with a detour through the users table."""
    inner, params = memberships.values("user_id", "community_id").order_by().query.sql_with_params()
    sql = (
        "SELECT a.community_id, b.community_id, COUNT(*) "  # noqa: S608 - the ORM's own SQL; values go as params
        f"FROM ({inner}) a INNER JOIN ({inner}) b "
        "ON a.user_id = b.user_id AND a.community_id < b.community_id "
        "GROUP BY a.community_id, b.community_id HAVING COUNT(*) >= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params, k])
        return cursor.fetchall()


def _spanners(
    memberships: QuerySet[Membership], rows: dict[int, tuple], page: int
) -> tuple[list[tuple[int, str, list[int]]], bool]:
    """A page of the people (listed in the directory) active in most of these communities, at least SPANNER_MIN,
    SPANNERS a page, each with the ids of their communities by name; and whether a next page has any (two
    queries: the page's people, one more to tell, in the database's order; then their memberships)."""
    listed = memberships.filter(user__is_active=True, user__profile__in_directory=True)
    start = (page - 1) * SPANNERS
    top = list(
        listed.values("user_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=SPANNER_MIN)
        .order_by("-n", "user__full_name", "user_id")
        .values_list("user_id", flat=True)[start : start + SPANNERS + 1]
    )
    more = len(top) > SPANNERS
    rank = {user_id: i for i, user_id in enumerate(top[:SPANNERS])}
    names: dict[int, str] = {}
    communities: dict[int, list[int]] = defaultdict(list)
    shown = (
        listed.filter(user_id__in=rank).values_list("user_id", "user__full_name", "community_id").order_by()
    )
    for user_id, name, community_id in shown:
        names[user_id] = name
        communities[user_id].append(community_id)
    return [
        (user_id, names[user_id], sorted(communities[user_id], key=lambda c: (rows[c][0].casefold(), c)))
        for user_id in sorted(names, key=rank.__getitem__)
    ], more


def _unit_matrix(
    memberships: QuerySet[Membership], columns: list[int]
) -> tuple[list[tuple[int, str, dict[int, int], int]], int]:
    """The matrix's rows: the MATRIX_ROWS org units with most active members in the largest communities (one
    grouped query), most first, each as (org unit id, its name, members by community id, total); and how many
    org units have members there."""
    if not columns:
        return [], 0
    rows = (
        memberships.filter(community_id__in=columns, user__org_unit__isnull=False)
        .values_list("user__org_unit_id", "user__org_unit__name", "community_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    names: dict[int, str] = {}
    for unit, name, community_id, n in rows:
        counts[unit][community_id] = n
        names[unit] = name
    totals = {unit: sum(cells.values()) for unit, cells in counts.items()}
    order = sorted(counts, key=lambda unit: (-totals[unit], names[unit].casefold(), unit))
    return [(unit, names[unit], counts[unit], totals[unit]) for unit in order[:MATRIX_ROWS]], len(counts)


class Topic(NamedTuple):
    """A topic offered by the filter, on `n` of the communities the viewer may see."""

    pk: int
    name: str
    n: int


def filter_choices(viewer: User) -> dict:
    """The filters' choices: topics of communities the viewer may see (each with `n`, how many of them carry it),
    and divisions with their departments, each department's division in `divisions` (two queries). Kept for
    everyone who sees the same communities (`seen_communities`) under the versions of the communities (their
    topics too), the tags' names and the org units."""
    ids = [pk for pk, _slug, _name in seen_communities(viewer, include_archived=True)]
    version = versions.current(COMMUNITIES_VERSION, TAGS_VERSION, ORG_UNITS_VERSION)
    return kept("constellation-choices", digest(ids), version, lambda: _filter_choices(ids))


def _filter_choices(ids: list[int]) -> dict:
    """`filter_choices` for the communities `ids`."""
    topics = [
        Topic._make(row)
        for row in Tag.objects.filter(among("communities", ids))
        .values_list("pk", "name")
        .annotate(n=Count("communities"))
        .order_by("name", "pk")
    ]
    units = list(
        OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.DIVISION, OrgUnit.Kind.DEPARTMENT]).values_list(
            "pk", "name", "parent_id"
        )
    )
    children: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    for pk, name, parent in units:
        children[parent].append((pk, name))
    known = {pk for pk, _, _ in units}
    roots = [(pk, name) for pk, name, parent in units if parent is None or parent not in known]
    org_units: list[tuple[int, str]] = []
    divisions: dict[int, int] = {}
    for pk, name in sorted(roots, key=lambda unit: unit[1].casefold()):
        org_units.append((pk, name))
        divisions[pk] = pk
        for child, child_name in sorted(children.get(pk, []), key=lambda unit: unit[1].casefold()):
            org_units.append((child, f"\u2003{child_name}"))  # indented under its division
            divisions[child] = pk
    return {"topics": topics, "org_units": org_units, "divisions": divisions}


def shown_choices(choices: dict, *, unit_id: int | None, topic_id: int | None) -> dict:
    """What the filters' lists offer, so that the page stays small with thousands of topics and hundreds of
    departments: the SHOWN_TOPICS topics on most communities (by name) and the chosen one; every division, and
    the departments of the chosen unit's division. Any of `choices` is still accepted from the query string."""
    division = choices["divisions"].get(unit_id) if unit_id else None
    org_units = [
        (pk, name)
        for pk, name in choices["org_units"]
        if choices["divisions"][pk] == pk or choices["divisions"][pk] == division
    ]
    most = sorted(choices["topics"], key=lambda tag: (-tag.n, tag.name.casefold(), tag.pk))[:SHOWN_TOPICS]
    keep = {tag.pk for tag in most} | {topic_id}
    topics = [(tag.pk, tag.name) for tag in choices["topics"] if tag.pk in keep]
    return {
        "org_units": org_units,
        "topics": topics,
        "more_units": len(org_units) < len(choices["org_units"]),
        "more_topics": len(topics) < len(choices["topics"]),
    }


# The map's layout ----------------------------------------------------------------------------------------------


def layout_map(nodes: list[Node], edges: list[Edge], *, edges_capped: bool | None = None) -> Layout:
    """Place `nodes` (largest first) and draw the MAP_EDGES strongest `edges` between them.

    Circle area is proportional to members (radius at least MIN_RADIUS so that every community can be pointed
    at), line width to shared members. Positions come from `_positions`, cached by a hash of the input.
    """
    largest = max((node.members for node in nodes), default=0)
    # The largest circle shrinks as the map fills, so that 60 communities still fit side by side.
    height = MIN_HEIGHT + HEIGHT_PER_NODE * len(nodes)
    max_r = min(40.0, 0.22 * math.sqrt(WIDTH * height / max(len(nodes), 1)))
    radii = [
        round(max(MIN_RADIUS, max_r * math.sqrt(node.members / largest)) if largest else MIN_RADIUS, 1)
        for node in nodes
    ]
    labels = [len(_label(node.name)) if i < MAP_LABELS else 0 for i, node in enumerate(nodes)]
    index = {node.id: i for i, node in enumerate(nodes)}
    drawn = edges[:MAP_EDGES]
    links = [(index[e.a.id], index[e.b.id], e.shared) for e in drawn]
    key = hashlib.sha256(repr((LAYOUT_VERSION, height, radii, labels, links)).encode()).hexdigest()
    cache_key = f"insights:constellation:layout:{key}"
    positions = cache.get(cache_key)
    if positions is None or len(positions) != len(nodes):
        positions = _positions(height, radii, labels, links)
        cache.set(cache_key, positions, LAYOUT_CACHE_SECONDS)
    strongest = max((e.shared for e in drawn), default=1)
    placed = [
        PlacedNode(node=node, x=x, y=y, r=radii[i], labelled=labels[i] > 0)
        for i, (node, (x, y)) in enumerate(zip(nodes, positions, strict=True))
    ]
    return Layout(
        width=WIDTH,
        height=height,
        nodes=placed,
        edges=[
            PlacedEdge(
                edge=e,
                x1=placed[index[e.a.id]].x,
                y1=placed[index[e.a.id]].y,
                x2=placed[index[e.b.id]].x,
                y2=placed[index[e.b.id]].y,
                width=round(max(1.0, MAX_EDGE_WIDTH * e.shared / strongest), 1),
            )
            for e in reversed(drawn)
        ],
        edges_capped=len(edges) > MAP_EDGES if edges_capped is None else edges_capped,
    )


def _label(name: str) -> str:
    """A community's name as written under its circle: shortened (the tooltip and the table have it in full)."""
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "\u2026"


def _positions(
    height: int, radii: list[float], labels: list[int], links: list[tuple[int, int, int]]
) -> list[tuple[float, float]]:
    """Circle centres inside the viewBox: a force layout, scaled to fill the drawing, then overlaps removed.

    The start is a sunflower spiral (largest at the centre), so no random numbers are involved; then ITERATIONS
    rounds of Fruchterman-Reingold in a unit square (all circles repel, linked ones attract more the more they
    share, a weak pull to the centre keeps unlinked communities near), with a temperature that cools linearly.
    `labels` holds the length of each circle's label (0 for none), so that names do not cover each other.
    """
    n = len(radii)
    if n == 0:
        return []
    golden = math.pi * (3 - math.sqrt(5))
    xs = [0.5 * math.sqrt((i + 0.5) / n) * math.cos(i * golden) for i in range(n)]
    ys = [0.5 * math.sqrt((i + 0.5) / n) * math.sin(i * golden) for i in range(n)]
    strongest = max((w for _, _, w in links), default=1)
    springs = [(a, b, SPRING_BASE + (1 - SPRING_BASE) * w / strongest) for a, b, w in links]
    ideal = math.sqrt(1.0 / n)  # the unit square shared out
    ideal2 = ideal * ideal
    pull_in = GRAVITY / ideal
    for step in range(ITERATIONS if n > 1 else 0):
        temperature = 0.1 * (1 - step / ITERATIONS) + 0.001
        dx = [-pull_in * x for x in xs]
        dy = [-pull_in * y for y in ys]
        for i in range(n):  # each pair once: this plain loop beats vectorized tricks in pure Python
            xi, yi = xs[i], ys[i]
            for j in range(i + 1, n):
                ddx, ddy = xi - xs[j], yi - ys[j]
                push = ideal2 / (ddx * ddx + ddy * ddy or 1e-9)  # k^2 / d along the unit vector
                dx[i] += ddx * push
                dy[i] += ddy * push
                dx[j] -= ddx * push
                dy[j] -= ddy * push
        for a, b, weight in springs:
            ddx, ddy = xs[a] - xs[b], ys[a] - ys[b]
            pull = math.sqrt(ddx * ddx + ddy * ddy) / ideal * weight  # d^2 / k along the unit vector
            dx[a] -= ddx * pull
            dy[a] -= ddy * pull
            dx[b] += ddx * pull
            dy[b] += ddy * pull
        for i in range(n):
            fx, fy = dx[i], dy[i]
            length = math.sqrt(fx * fx + fy * fy)
            if length > temperature:
                fx, fy = fx / length * temperature, fy / length * temperature
            xs[i] += fx
            ys[i] += fy
    return _fit(height, xs, ys, radii, labels)


def _fit(
    height: int, xs: list[float], ys: list[float], radii: list[float], labels: list[int]
) -> list[tuple[float, float]]:
    """Scale the layout to the drawing area, then push apart circles (with their labels) that overlap and keep
    them inside, in a bounded number of passes. Each circle takes a box: as wide as it or its label, from its
    top to the bottom of its label."""
    n = len(xs)
    half = [max(r, (LABEL_CHAR_WIDTH * chars + 4) / 2) for r, chars in zip(radii, labels, strict=True)]
    above = list(radii)
    below = [r + (LABEL_ROOM if chars else 0) for r, chars in zip(radii, labels, strict=True)]
    low_x = [PADDING + h for h in half]
    high_x = [WIDTH - PADDING - h for h in half]
    low_y = [PADDING + a for a in above]
    high_y = [height - PADDING - b for b in below]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    span_x = (min(high_x) - max(low_x)) / (right - left) if right > left else 0.0
    span_y = (min(high_y) - max(low_y)) / (bottom - top) if bottom > top else 0.0
    centre_x = (max(low_x) + min(high_x)) / 2
    centre_y = (max(low_y) + min(high_y)) / 2
    px = [centre_x + (x - (left + right) / 2) * span_x for x in xs]
    py = [centre_y + (y - (top + bottom) / 2) * span_y for y in ys]
    widest = max(half)
    for _ in range(OVERLAP_PASSES):
        moved = False
        order = sorted(range(n), key=lambda i: (px[i], i))
        for at, i in enumerate(order):  # sweep left to right: only boxes that can reach i horizontally
            for j in order[at + 1 :]:
                if px[j] - px[i] >= half[i] + widest + GAP:
                    break
                gap_x = half[i] + half[j] + GAP - abs(px[i] - px[j])
                if gap_x <= 0:
                    continue
                if py[i] <= py[j]:
                    gap_y = below[i] + above[j] + GAP - (py[j] - py[i])
                    sign_y = 1.0
                else:
                    gap_y = below[j] + above[i] + GAP - (py[i] - py[j])
                    sign_y = -1.0
                if gap_y <= 0:
                    continue
                moved = True
                if gap_x < gap_y:  # the shorter way out
                    sign_x = 1.0 if (px[i], i) < (px[j], j) else -1.0
                    px[i] -= sign_x * gap_x / 2
                    px[j] += sign_x * gap_x / 2
                else:
                    py[i] -= sign_y * gap_y / 2
                    py[j] += sign_y * gap_y / 2
        for i in range(n):
            px[i] = min(max(px[i], low_x[i]), high_x[i])
            py[i] = min(max(py[i], low_y[i]), high_y[i])
        if not moved:
            break
    return [(round(x, 1), round(y, 1)) for x, y in zip(px, py, strict=True)]

"""The libraries: a community's (searched, filtered by kind, tag and status, sorted, paginated) and the
organization-wide one across the communities the viewer may see."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.cache import cache
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from communities.search import COMMUNITIES_VERSION
from core import fragments, versions
from members.search import TAGS_VERSION
from members.selectors import PEOPLE_VERSION
from repertoire import selectors
from repertoire.access import library_access
from repertoire.forms import LibraryFilterForm
from repertoire.models import Resource
from repertoire.search import RESOURCES_VERSION
from repertoire.views import library_page

SORT_LABELS = {"newest": "Newest", "applied": "Most applied", "title": "Title"}


def _cleaned(form: Form) -> dict:
    """The valid filters of a GET form; a malformed one is ignored, not a 400."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


def _card_version(resource: Resource) -> str:
    """A digest of everything a resource's card shows (`for_cards`' columns, its community, authors and tags,
    and how long ago it was added), so the card is made again whenever what it shows changes."""
    shown = (
        resource.kind,
        resource.status,
        resource.recommended_at is not None,
        resource.title,
        resource.summary,
        resource.community.slug,
        resource.community.name,
        [author.full_name for author in resource.author_list],
        resource.created_at.isoformat(),
        resource.ago,
        resource.applied_count,
        resource.file_count,
        bool(resource.external_url),
        [(tag.slug, tag.name) for tag in resource.tag_list],
    )
    return fragments.digest(shown)


def _with_cards(page, *, show_community: bool) -> None:
    """Hang its card on each resource of the page (`resource.card`). A card is the same for everyone who sees
    it (no viewer-dependent part), so the cards are kept in the cache (`core.fragments`), keyed by what they
    show, the language and the time zone (the exact time on hover): only new or changed ones are rendered."""
    resources = list(page.object_list)
    selectors.with_card_lists(resources)
    for resource in resources:
        resource.ago = naturaltime(resource.created_at)

    def card(resource: Resource) -> str:
        return render_to_string(
            "repertoire/_card.html", {"resource": resource, "show_community": show_community}
        )

    name = "library-card" if show_community else "community-library-card"
    cards = fragments.many(name, resources, render=card, version=_card_version, zoned=True)
    fragments.keyed(resources, cards, "card")
    page.object_list = resources


def _results(page, query: str, sort: str, *, show_community: bool = False) -> dict:
    """What both libraries' results block shows: the page, how many were found, and the sorts offered."""
    _with_cards(page, show_community=show_community)
    count = page.paginator.count
    return {
        "page": page,
        "search_text": query,
        "sort": sort,
        "sorts": {"": "Best match", **SORT_LABELS} if query else SORT_LABELS,
        "kinds": Resource.Kind.choices,
        "results_count": f"{count} resource{'s' if count != 1 else ''} found.",
    }


@login_required
@require_GET
def community_library(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's library. htmx (the search box as one types) gets only the results block."""
    access = library_access(request.user, slug)
    form = LibraryFilterForm(request.GET)
    filters = _cleaned(form)
    query = (filters.get("q") or "").strip()
    status = filters.get("status") or "published"
    sort = filters.get("sort") or ("" if query else "newest")
    resources = selectors.community_library(
        access=access,
        query=query,
        kind=filters.get("kind") or "",
        tag=filters.get("tag") or "",
        status=status,
        sort=sort,
    )
    page = Paginator(resources, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = library_page(
        access,
        "resources",
        form=form,
        status=status,
        filtered=bool(query or filters.get("kind") or filters.get("tag") or status != "published"),
        **_results(page, query, sort),
    )
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "repertoire/community_library.html#results", context)
    context["tags"] = list(selectors.library_tags(access.community))
    context["collections"] = list(selectors.community_collections(access.community))
    return render(request, "repertoire/community_library.html", context)


def _community_options(communities: list[tuple[int, str, str]], chosen: str | None) -> str:
    """The <option>s of the organization library's community filter (a few hundred communities): the same for
    everyone who may see the same communities, so kept in the cache under a digest of them and the one chosen."""
    choices = [(slug, name) for _pk, slug, name in communities]
    if chosen not in {slug for slug, _name in choices}:
        chosen = ""  # nothing is selected: one fragment for every unknown value

    def options() -> str:
        return render_to_string(
            "repertoire/_filter_select.html#options", {"choices": choices, "chosen": chosen}
        )

    return fragments.one("library-community-options", chosen, fragments.digest(choices), options)


COUNT_KEPT = 24 * 3600  # a new version is a new key: this only bounds what an unused one keeps


def _kept_count(
    paginator: Paginator, communities: list[tuple[int, str, str]], community: str, kind: str
) -> None:
    """Give the paginator the organization library's count without a search nor a tag (published resources of
    the communities offered, the one chosen, of a kind) from the cache: kept under the resources' version
    (`repertoire.search.RESOURCES_VERSION`, bumped by every save or deletion of a resource) and the communities
    and kind it counts, so fifteen thousand index entries are counted once per change, not per request."""
    version = versions.current(RESOURCES_VERSION)
    ids = [pk for pk, _slug, _name in communities]
    key = f"library-count:{version}:{fragments.digest((ids, community, kind))}"
    count = cache.get(key)
    if count is None:
        count = paginator.count
        cache.set(key, count, COUNT_KEPT)
    paginator.count = count


def _kept_rows(page, communities: list[tuple[int, str, str]], community: str, kind: str, sort: str) -> None:
    """Give a page of the organization library without a search nor a tag its resources, with what their cards
    show (`selectors.for_cards`), from the cache: kept for every reader of the same communities under the
    versions of the resources (their tags, authors and files too), the people (authors' names), the communities
    (names) and the tags (names), so the page's query runs once per change, not per request."""
    version = versions.current(RESOURCES_VERSION, PEOPLE_VERSION, COMMUNITIES_VERSION, TAGS_VERSION)
    ids = [pk for pk, _slug, _name in communities]
    where = f"{fragments.digest((ids, community, kind, sort))}-{page.number}"
    rows = page.object_list

    def read() -> list[Resource]:
        resources = list(rows)
        selectors.with_card_lists(resources)
        return resources

    page.object_list = fragments.kept("library-page", where, version, read)


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """The organization-wide library: published resources of every community the viewer may see."""
    form = LibraryFilterForm(request.GET)
    filters = _cleaned(form)
    query = (filters.get("q") or "").strip()
    sort = filters.get("sort") or ("" if query else "newest")
    communities = selectors.library_communities(request.user)
    resources = selectors.organization_library(
        viewer=request.user,
        communities=communities,
        query=query,
        kind=filters.get("kind") or "",
        tag=filters.get("tag") or "",
        community=filters.get("community") or "",
        sort=sort,
    )
    paginator = Paginator(resources, settings.PAGE_SIZE)
    listed = not (query or filters.get("tag"))  # the same for every reader of the same communities: kept
    if listed:
        _kept_count(paginator, communities, filters.get("community") or "", filters.get("kind") or "")
    page = paginator.get_page(request.GET.get("page"))
    if listed:
        _kept_rows(page, communities, filters.get("community") or "", filters.get("kind") or "", sort)
    context = {
        "form": form,
        "tag": filters.get("tag") or "",
        "filtered": bool(query or filters.get("kind") or filters.get("tag") or filters.get("community")),
        **_results(page, query, sort, show_community=True),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "repertoire/library.html#results", context)
    context["community_options"] = _community_options(communities, form["community"].value())
    return render(request, "repertoire/library.html", context)

"""Views everyone signed in uses: browsing communities, a community's home and member list, proposing one, and
the coordinators' settings page."""

import copy
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.functional import SimpleLazyObject
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from communities import selectors, services
from communities.access import get_community_for
from communities.forms import BrowseForm, CommunityForm, MemberFilterForm, ProposeForm
from communities.models import Community, Level, Stage
from communities.rules import may_administer
from core import fragments
from core.moments import this_minute
from core.pages import form_page
from members.rules import may_see_profile
from members.selectors import kept_page


def suggest_people(form: Form, *names: str) -> None:
    """Let htmx fill the page's people datalist as these fields are typed in (plain inputs without JavaScript)."""
    attrs = {
        "data-hx-get": reverse("members:suggest"),
        "data-hx-trigger": "input changed delay:250ms",
        "data-hx-target": "#people-suggestions",
        "data-hx-swap": "innerHTML",
    }
    for name in names:
        form.fields[name].widget.attrs.update(attrs)


def _cleaned(form: Form) -> dict:
    """The valid filters of a GET form; a malformed one is ignored (and shown as an error), not a 400."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


@require_GET
@login_required
def browse(request: HttpRequest) -> HttpResponse:
    """All communities that are not archived, searched, filtered and sorted, with "My communities" on top."""
    form = BrowseForm(request.GET)
    filters = _cleaned(form)
    communities = selectors.browse_communities(
        viewer=request.user,
        query=(filters.get("q") or "").strip(),
        topic=filters.get("topic") or "",
        org_unit=filters.get("unit"),
        stage=filters.get("stage") or "",
        join_policy=filters.get("policy") or "",
        sort=filters.get("sort") or "name",
    )
    page = Paginator(communities, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for community in page.object_list:
        community.levels = selectors.level_distribution(community)
    filtered = any(filters.get(name) for name in ("q", "topic", "unit", "stage", "policy"))
    context = {
        "form": form,
        "page": page,
        "filtered": filtered,
        "sort": filters.get("sort") or "name",
        "my_memberships": list(selectors.my_memberships(user=request.user)),
        "now": timezone.now(),
        "stages": Stage.choices,
        "policies": Community.JoinPolicy.choices,
        **selectors.browse_filter_choices(viewer=request.user),
    }
    return render(request, "communities/browse.html", context)


@require_GET
@login_required
def home(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's home: its domain and charter, its people and the slots later features fill.

    Everyone signed in may open it; non-members of a private community see only its name, domain and how to
    ask to join.
    """
    access = get_community_for(request.user, slug)
    context = {"access": access, "tab": "overview"}
    if access.can_see_content:
        community = access.community
        # The people cards are a fragment (the same for everyone who sees them, bar staff's "Name one" link):
        # the overview's queries run only when its version changed.
        context["overview"] = SimpleLazyObject(lambda: selectors.community_overview(community=community))
        context["people_version"] = (
            f"{selectors.people_version(community)}-{int(may_administer(request.user))}"
        )
        context["topics"] = list(community.topics.all())
    return render(request, "communities/home.html", context)


JOINED_TITLE = "j F Y, H:i T"  # the exact time a member joined, on hover


def _member_rows(memberships: list, viewer) -> None:
    """What each row of the member list shows, worked out in one pass (not by a dozen filters and an include
    per row): the name linked to the profile when the viewer may see it, the job title, org unit and level, and
    when the member joined (relative, the exact time in the viewer's zone on hover)."""
    labels = dict(Level.choices)
    zone, minute, language = (
        timezone.get_current_timezone(),
        this_minute(),
        get_language(),
    )
    for membership in memberships:
        person = membership.user
        profile = getattr(person, "profile", None)
        in_directory = bool(profile and profile.in_directory)
        membership.profile_url = (
            person.get_absolute_url()
            if may_see_profile(viewer, person_pk=person.pk, in_directory=in_directory)
            else ""
        )
        membership.job_title = (profile.job_title if profile else "") or "—"
        membership.unit_name = (person.org_unit.name if person.org_unit else "") or "—"
        membership.level_label = labels.get(membership.level, membership.level)
        if membership.joined_at:
            membership.joined_attr, membership.joined_title, membership.joined_ago = _joined(
                membership.joined_at, zone, minute, language
            )


@lru_cache(maxsize=8192)
def _joined(value: datetime, zone, minute: int, language: str | None) -> tuple[str, str, str]:
    """When a member joined as the list writes it, seen in `zone` during `minute` (both part of the cache's key,
    as `core.moments.time_ago` keeps its elements): its `datetime` attribute (as `datetime_attr` writes it), its
    exact time and how long ago ("how long" at most a minute behind)."""
    local = timezone.localtime(value, zone)
    return local.isoformat(timespec="seconds"), dateformat.format(local, JOINED_TITLE), timesince(value)


@require_GET
@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's active members, filtered by level and org unit, with the count at each level."""
    access = get_community_for(request.user, slug, content=True)
    form = MemberFilterForm(request.GET)
    form.fields["unit"].queryset = selectors.member_units(access.community)  # checks a chosen unit
    filters = _cleaned(form)
    unit = filters.get("unit")
    sort = filters.get("sort") or "name"
    level, query = filters.get("level") or "", (filters.get("q") or "").strip()
    memberships = selectors.member_list(
        community=access.community,
        level=level,
        org_unit=unit.pk if unit else None,
        query=query,
        sort=sort,
    )
    # The level counts, the unit filter's options (a hundred units and more in a large community) and each page
    # of the whole list (no filter: its rows with their people, profiles and units) are the same for everyone who
    # sees the list: kept in the cache under the community's people version (bumped by any change of its
    # memberships, of anyone's name, profile or org unit, or of a unit's name).
    version = selectors.people_version(access.community)
    everyone = not (level or unit or query)
    page_key = f"member-page:{access.community.pk}:{version}:{sort}" if everyone else None
    page = kept_page(memberships, request.GET.get("page"), settings.PAGE_SIZE, key=page_key, keep_rows=True)
    _member_rows(page.object_list, request.user)
    levels = selectors.level_counts(access.community, version=version)
    # The option selected is the one whose value is written as asked for (none when no unit was asked for).
    asked_unit = form["unit"].value()
    written_as_its_value = unit is not None and asked_unit == f"{unit.pk}"
    chosen_unit = "" if asked_unit == "" else (unit.pk if written_as_its_value else None)

    def unit_options() -> str:
        units = [("", "Any unit"), *selectors.member_unit_choices(access.community)]
        rows = [(value, label, value == chosen_unit) for value, label in units]
        return render_to_string("communities/_member_unit_options.html", {"options": rows})

    chosen_level = form["level"].value()
    context = {
        "level_options": [
            (value, label, value == chosen_level) for value, label in form.fields["level"].choices
        ],
        "chosen_level": chosen_level,
        "unit_options": fragments.one(
            "member-units",
            f"{access.community.pk}:{'-' if chosen_unit is None else chosen_unit}",
            version,
            unit_options,
        ),
        "access": access,
        "tab": "members",
        "form": form,
        "page": page,
        "sort": sort,
        "levels": levels,
        "member_count": sum(level.count for level in levels),
        "filtered": any(filters.get(name) for name in ("q", "level", "unit")),
    }
    return render(request, "communities/members.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def propose(request: HttpRequest) -> HttpResponse:
    """Anyone proposes a community: it starts in stage "potential" with the proposer as its coordinator."""
    form = ProposeForm(request.POST or None)
    suggest_people(form, "core_group")

    def proposed(community: Community) -> str:
        invited = len(form.cleaned_data["core_group"])
        note = (
            f" {invited} colleague{'s' if invited != 1 else ''} invited into the core group."
            if invited
            else ""
        )
        return f"{community.name} is proposed, and you are its coordinator.{note}"

    return form_page(
        request,
        form,
        template="communities/propose.html",
        context={},
        act=lambda data: services.community_propose(proposer=request.user, **form.service_fields()),
        success=proposed,
        then=lambda community: community.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
@login_required
def settings_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Coordinators edit their community's name, domain, charter, topics, policies and stage."""
    access = get_community_for(request.user, slug, manage=True)
    # The form works on a copy, so the page header keeps showing what is saved while errors are corrected.
    form = CommunityForm(request.POST or None, instance=copy.copy(access.community))
    return form_page(
        request,
        form,
        template="communities/settings.html",
        context={"access": access, "tab": "settings"},
        act=lambda data: services.community_update(
            actor=request.user, community=access.community, **form.service_fields()
        ),
        success="The community's settings are saved.",
        then=reverse("communities:settings", args=[access.community.slug]),
    )

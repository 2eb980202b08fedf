"""Member pages: the directory ("find an expert"), profiles, editing one's own profile and notification settings,
the one-click unsubscribe page that mails link to, and the people suggestions that email inputs ask for."""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core import fragments, versions
from core.forms import add_refusal, first_error
from core.ratelimits import rate_limited
from core.unsubscribe import read_unsubscribe_token
from core.viewer_zone import remember_zone
from members import rules
from members.forms import DirectoryForm, NotificationsForm, ProfileForm
from members.models import User
from members.notifications import MAIL_KINDS, Frequency, MailKind, kinds_for
from members.selectors import (
    PEOPLE_VERSION,
    OrgUnitTree,
    anyone,
    directory_page,
    directory_people,
    expertise_names_of,
    notification_choices,
    org_unit_tree,
    people_suggestions,
    people_with_handle,
    person_for_profile,
)
from members.services import (
    notification_frequency,
    notification_preferences_update,
    notification_unsubscribe,
    profile_ensure,
    profile_update,
)

# The names under which email inputs send what was typed (communities' invite, propose, sponsor and appoint forms).
SUGGEST_PARAMETERS = ("q", "emails", "core_group", "sponsor", "user", "hosts", "co_authors")


def _card_version(person: User) -> str:
    """A digest of everything a directory card shows (name, initials, job title, org unit, expertise), so the
    card is made again whenever what it shows changes; its address is its key (the person's id)."""
    return fragments.digest(
        (
            person.full_name,
            person.email,
            person.profile.job_title,
            person.org_unit.name if person.org_unit else None,
            expertise_names_of(person),
        )
    )


def _directory_cards(people: list[User]) -> None:
    """Hang its card on each person (`person.card`). A card is the same for everyone who sees the directory
    (everyone in it may be seen by every member), so cards are kept in the cache (`core.fragments`), keyed by
    what they show and the language: only new or changed ones are rendered."""
    cards = fragments.many(
        "directory-card",
        people,
        render=lambda person: render_to_string("members/_directory_card.html", {"person": person}),
        version=_card_version,
    )
    fragments.keyed(people, cards, "card")


def _unit_options(tree: OrgUnitTree, asked: str | None) -> str:
    """The org-unit filter's <option>s (a thousand at a large organization), the same for everyone who asked for
    the same unit: kept in the cache under the tree's version and the chosen value. An option is selected when
    its value is written as asked (as a bound form shows it: nothing is selected when no unit was asked for)."""
    choice = tree.choice(asked)
    selected = "" if asked == "" else choice[0] if choice else None  # the value of the selected option

    def options() -> str:
        choices = [("", "Any org unit"), *tree.choices()]
        rows = [(value, label, value == selected) for value, label in choices]
        return render_to_string("members/_directory_unit_options.html", {"options": rows})

    return fragments.one("directory-units", "-" if selected is None else selected, tree.version, options)


@require_GET
@login_required
def directory(request: HttpRequest) -> HttpResponse:
    """Find an expert: people by name, job title and expertise, in an org unit (and below) or a community."""
    version = versions.current(PEOPLE_VERSION)  # the tree's and the whole directory's pages'
    tree = org_unit_tree(version)
    asked_unit = request.GET.get("unit")
    # The form checks the asked unit against the one choice it can be (a thousand choices cost the form more than
    # the page's people; the options shown come from `_unit_options`).
    choice = tree.choice(asked_unit)
    form = DirectoryForm(request.GET, org_units=[choice] if choice else [])
    form.is_valid()  # invalid filters are left out; the rest still apply
    query = (form.cleaned_data.get("q") or "").strip()[:100]
    unit = form.cleaned_data.get("unit")
    community = form.cleaned_data.get("community") or ""
    people = directory_people(
        viewer=request.user,
        query=query,
        org_units=tree.with_descendants(unit) if unit else None,
        community=community,
    )
    filtered = bool(query or unit or community)
    page = directory_page(
        people, request.GET.get("page"), settings.PAGE_SIZE, everyone=not filtered, version=version
    )
    _directory_cards(page.object_list)
    context = {
        "form": form,
        "unit_options": _unit_options(tree, asked_unit),
        "page": page,
        "query": query,
        "community": community,
        "filtered": filtered,
    }
    return render(request, "members/directory.html", context)


@require_GET
@login_required
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's profile; people who left the directory are seen only by themselves and staff."""
    person = person_for_profile(pk=pk, include_inactive=rules.sees_people_who_left(request.user))
    listed = person is not None and hasattr(person, "profile") and person.profile.in_directory
    if person is None or not rules.may_see_profile(request.user, person_pk=person.pk, in_directory=listed):
        raise Http404("No such member")
    return render(request, "members/profile.html", {"person": person})


@require_GET
@login_required
def by_handle(request: HttpRequest, handle: str) -> HttpResponse:
    """Where an @mention links: the profile of the one active person whose address starts with `<handle>@`,
    else the directory searching for the handle's words (nobody, or several people, have it)."""
    handle = handle[:100]
    people = people_with_handle(handle=handle)
    if len(people) == 1:
        pk, listed = people[0]
        if rules.may_see_profile(request.user, person_pk=pk, in_directory=listed):
            return redirect("members:profile", pk)
    words = " ".join(part for part in re.split(r"[._+-]+", handle) if part)
    return redirect(f"{reverse('members:directory')}?{urlencode({'q': words})}")


@require_http_methods(["GET", "POST"])
@login_required
def edit_profile(request: HttpRequest) -> HttpResponse:
    """Edit one's own profile."""
    user = request.user
    profile_ensure(user=user)
    org_units = org_unit_tree().choices()
    kept = {"kept": rules.kept_by_directory(user), "directory": user.directory}
    if request.method == "POST":
        initial = ProfileForm.initial_for(user) if kept["kept"] else None  # what disabled fields keep
        form = ProfileForm(request.POST, initial=initial, org_units=org_units, **kept)
        if form.is_valid():
            try:
                profile_update(user=user, **form.cleaned_data)
            except ValidationError as error:
                add_refusal(form, error)
            else:
                remember_zone(request, user, name=form.cleaned_data["time_zone"])
                messages.success(request, "Your profile is saved.")
                return redirect("members:profile", user.pk)
        messages.error(request, "Your profile was not saved: please correct what is marked below.")
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(user), org_units=org_units, **kept)
    return render(request, "members/edit_profile.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """Choose, for each kind of mail that concerns the person, how often it comes."""
    kinds = kinds_for(request.user)  # sponsors' and coordinators' kinds only for them
    if request.method == "POST":
        form = NotificationsForm(request.POST, kinds=kinds)
        if form.is_valid():  # the form offers each kind only the frequencies it allows, as the service checks
            notification_preferences_update(user=request.user, choices=form.cleaned_data)
            messages.success(request, "Your notification settings are saved.")
            return redirect("members:notifications")
        messages.error(request, "Your notification settings were not saved: " + first_error(form))
    else:
        form = NotificationsForm(initial=notification_choices(user=request.user), kinds=kinds)
    return render(request, "members/notifications.html", {"form": form})


def _unsubscribe_target(token: str) -> tuple[User, MailKind] | None:
    """The person and the kind of mail a one-click link names, or None when the link is tampered with, its kind
    is gone or cannot be turned off, or the person no longer exists. Deactivated people are found too."""
    signed = read_unsubscribe_token(token)
    if signed is None:
        return None
    user_id, key = signed
    kind = MAIL_KINDS.get(key)
    if kind is None or Frequency.OFF not in kind.allowed:
        return None
    person = anyone(pk=user_id)
    return (person, kind) if person is not None else None


def _masked(address: str) -> str:
    """Show "ada.lovelace@example.org" as "a***@example.org": enough to recognise one's own address, too little
    to learn it from a forwarded link."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


@csrf_exempt  # RFC 8058: mail clients POST without cookies or a CSRF token; the signed token is the proof.
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("unsubscribe")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe from one kind of mail, no login needed: GET asks, POST turns the kind off.

    A mail client's one-click POST (body `List-Unsubscribe=One-Click`) is answered like the page's button. A link
    that is not valid (tampered, unknown kind, person deleted) gets a friendly page with status 200: people reach
    it from a mail, and a 4xx would only show up as an error in browsers' consoles."""
    target = _unsubscribe_target(token)
    if target is None:
        return render(request, "members/unsubscribe.html", {"invalid": True})
    person, kind = target
    context = {"kind": kind, "address": _masked(person.email)}
    if request.method == "POST":
        notification_unsubscribe(user=person, kind=kind.key)
        return render(request, "members/unsubscribe.html", {**context, "done": True})
    context["already_off"] = notification_frequency(user=person, kind=kind.key) == Frequency.OFF
    return render(request, "members/unsubscribe.html", context)


@require_GET
@login_required
@rate_limited("suggest")
def suggest(request: HttpRequest) -> HttpResponse:
    """People whose name or address contains what is being typed, as <option>s for the people datalist.

    Reads whichever of SUGGEST_PARAMETERS was sent and completes its last comma-separated fragment; each option's
    value keeps the addresses typed before it, so choosing one completes a list instead of replacing it.
    """
    typed = next((request.GET[name] for name in SUGGEST_PARAMETERS if name in request.GET), "")[:1000]
    earlier, fragment = _split_last_fragment(typed)
    chosen = [address.lower() for address in earlier]
    people = people_suggestions(fragment=fragment, exclude_emails=chosen) if len(fragment) >= 2 else []
    prefix = "".join(f"{address}, " for address in earlier)
    return render(request, "members/_people_datalist.html#options", {"people": people, "prefix": prefix})


def _split_last_fragment(typed: str) -> tuple[list[str], str]:
    """("a@x.org, b@y.org, jo") -> (["a@x.org", "b@y.org"], "jo")."""
    parts = typed.replace("\n", ",").replace(";", ",").split(",")
    earlier = [part.strip() for part in parts[:-1] if part.strip()]
    return earlier, parts[-1].strip()[:100]

"""The sponsor dashboard: a card per community the viewer sponsors (every community for staff), neediest first."""

import hashlib

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from communities.models import Stage
from communities.selectors import sponsors_anything
from core import fragments
from core.moments import this_minute
from insights.selectors import TREND_WEEKS, Card, dashboard_page

CARDS_PER_PAGE = 24


class DashboardFilterForm(forms.Form):
    """The dashboard's filters (GET). Everyone may include archived communities; staff also filter by stage and
    name, since they see every community."""

    q = forms.CharField(label="Name", required=False, max_length=100)
    stage = forms.ChoiceField(label="Stage", required=False, choices=[("", "Any stage"), *Stage.choices])
    archived = forms.BooleanField(label="Include archived communities", required=False)


def _card_version(card: Card, minute: int) -> str:
    """A digest of everything a card shows (the community's row, its figures and checks, its trend and its next
    date), so the card is made again whenever what it shows changes; with a next date, also the minute its
    "in 3 days" is told in (`time_ago` keeps it a minute)."""
    community, upcoming = card.community, card.next_occurrence
    shown = (
        community.name,
        community.slug,
        community.stage,
        community.visibility,
        community.archived_at is not None,
        card.figures,
        card.checks,
        card.trend_days,
        card.trend,
        (upcoming.pk, upcoming.activity.title, upcoming.start.isoformat(), minute) if upcoming else None,
    )
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


def _cards_html(cards: list[Card]) -> list[str]:
    """The HTML of each card of the page, in order. A card is the same for everyone who may see it (no
    viewer-dependent part), so it is kept in the cache (`core.fragments`), keyed by what it shows, the language
    and the viewer's time zone (the next date's): only new or changed cards are rendered."""
    minute = this_minute()

    def html(card: Card) -> str:
        return render_to_string("insights/_dashboard_card.html", {"card": card, "trend_weeks": TREND_WEEKS})

    return fragments.many(
        "dashboard-card",
        cards,
        render=html,
        version=lambda card: _card_version(card, minute),
        row_key=lambda card: card.community.pk,
        zoned=True,
    )


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Cards sorted by the attention their health checks ask for, over all the viewer's communities, then paged.

    Only sponsors and staff have a dashboard (the navigation shows its entry to them alone); anyone else gets a
    403 page that says so and where to look instead.
    """
    viewer = request.user
    if not sponsors_anything(viewer):
        return render(request, "insights/dashboard.html", {"no_dashboard": True}, status=403)
    form = DashboardFilterForm(request.GET)
    form.is_valid()  # a malformed filter is ignored (and shown as an error), not a 400
    filters = getattr(form, "cleaned_data", {})
    include_archived = bool(filters.get("archived"))
    stage = (filters.get("stage") or "") if viewer.is_staff else ""
    query = (filters.get("q") or "").strip() if viewer.is_staff else ""
    page = dashboard_page(
        viewer,
        number=request.GET.get("page"),
        per_page=CARDS_PER_PAGE,
        include_archived=include_archived,
        stage=stage,
        q=query,
    )
    context = {
        "form": form,
        "page": page,
        "cards_html": _cards_html(list(page.object_list)),
        "filtered": bool(include_archived or stage or query),
        "narrowed": bool(stage or query),
        "stages": Stage.choices,
        "trend_weeks": TREND_WEEKS,
    }
    return render(request, "insights/dashboard.html", context)

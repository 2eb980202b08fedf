"""A community's health page (what sponsors open from their dashboard, the Health tab of its coordinators and
core group), the CSV export of each of its charts, and recording a value story."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core import fragments
from core.csv_files import csv_response
from core.pages import form_page
from core.ratelimits import rate_limited
from insights import cached, rules, services
from insights.access import get_health_access
from insights.charts import level_bar
from insights.exports import chart_csv_rows
from insights.forms import ValueStoryForm
from insights.history import (
    HISTORY_CHARTS,
    HISTORY_MONTHS,
    monthly_history,
    org_unit_chart,
    org_unit_spread,
    value_stories,
)
from insights.models import ValueStory
from insights.value import Period, last_days, value_matrix

PERIODS = {30: "Last 30 days", 90: "Last 90 days", 365: "Last 365 days"}
DEFAULT_PERIOD = 90
CSV_CHARTS = (*HISTORY_CHARTS, "org-units", "value")


def _period_days(request: HttpRequest) -> int:
    """The value matrix's period from `?period=` (30, 90 or 365 days); anything else means the default."""
    try:
        days = int(request.GET.get("period", DEFAULT_PERIOD))
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def _health_url(slug: str, days: int = DEFAULT_PERIOD, anchor: str = "") -> str:
    url = reverse("insights:community", args=[slug])
    if days != DEFAULT_PERIOD:
        url += f"?period={days}"
    return url + (f"#{anchor}" if anchor else "")


def _period_showing(happened_on: date, today: date) -> int:
    """The default period if its value matrix lists a story that happened on `happened_on`, else the shortest
    period that does (the longest if none does)."""
    for days in (DEFAULT_PERIOD, *sorted(PERIODS)):
        if last_days(days, today=today).first_day <= happened_on:
            return days
    return max(PERIODS)


@dataclass(frozen=True)
class _Section:
    """A part of the health page that is the same for everyone who may read it (it is given nothing of the
    viewer's), kept in the cache (`core.fragments`) under `version`: the community's data version and the day,
    with whatever else it shows (the period, the org units' names)."""

    name: str
    version: str
    render: Callable[[], str]


def _sections(community, period, stamp: str, units: str, context: dict) -> dict[str, str]:
    """The HTML of the page's kept sections, read in one round trip, each rendered only when missing: "Now",
    the health checks and the history (`figures`; its charts are made only then), the cycles of the value matrix
    other than the recorded stories (`evidence`) and the spread over org units (`spread`). Keyed by the viewer's
    time zone too, for the examples' dates."""
    shown = {key: context[key] for key in ("community", "figures", "checks", "history_months", "csv_urls")}

    def figures() -> str:
        parts = context["figures"].level_parts()
        label = "Members by commitment level: " + ", ".join(f"{name} {n}" for name, n, _ in parts)
        made = {"charts": monthly_history(community), "level_bar": level_bar(parts, label=label, width=320)}
        return render_to_string("insights/community.html#figures", shown | made)

    def evidence() -> str:
        return render_to_string("insights/_value_matrix.html#evidence", {"cycles": context["cycles"]})

    def spread() -> str:
        units_now = context["spread"]
        chart = org_unit_chart(units_now) if units_now else None
        made = {"spread": units_now, "spread_chart": chart, "csv_urls": context["csv_urls"]}
        return render_to_string("insights/community.html#spread", made)

    sections = [
        _Section("figures", stamp, figures),
        _Section(
            "evidence", f"{stamp}:{period.first_day.isoformat()}:{period.last_day.isoformat()}", evidence
        ),
        _Section("spread", f"{stamp}:{units}", spread),
    ]
    html = fragments.many(
        f"health-{community.pk}",
        sections,
        render=lambda section: section.render(),
        version=lambda section: section.version,
        row_key=lambda section: section.name,
        zoned=True,
    )
    return {section.name: made for section, made in zip(sections, html, strict=True)}


@login_required
@require_GET
def health(request: HttpRequest, slug: str) -> HttpResponse:
    """The community's health: figures now, stage-aware checks, 12 months of history, the value-creation matrix
    for a period, and the spread of its active members over org units. A fixed number of queries, run once per
    change of the community's data and per day (`insights.cached`): the figures, value matrix and spread are
    kept in the cache, and so are the sections that show them alike to everyone (`_sections`)."""
    access = get_health_access(request.user, slug)
    community = access.community
    days = _period_days(request)
    period = last_days(days)
    found = cached.versions_of([community.pk], cached.ORG_UNITS_VERSION)
    data_version, units = found[community.pk], found[cached.ORG_UNITS_VERSION]
    days_shown = (period.first_day.isoformat(), period.last_day.isoformat())
    kept = cached.kept(
        [community.pk],
        [
            cached.health_entry([community]),
            cached.Entry(
                "spread", lambda ids: {community.pk: org_unit_spread(community)}, lambda pk: (units,)
            ),
            cached.Entry("value", lambda ids: value_matrix(ids, period), lambda pk: days_shown),
            cached.Entry(
                "stories", lambda ids: {community.pk: value_stories(community, period)}, lambda pk: days_shown
            ),
        ],
        versions_by_id={community.pk: data_version},
    )
    kept = {name: values[community.pk] for name, values in kept.items()}
    csv_urls = {
        # Keyed with underscores, so templates can read them (csv_urls.org_units).
        chart.replace("-", "_"): reverse("insights:chart_csv", args=[slug, chart])
        + (f"?period={days}" if chart == "value" else "")
        for chart in CSV_CHARTS
    }
    context = {
        "access": access,
        "tab": "health",
        "community": community,
        "figures": kept["health"].figures,
        "checks": kept["health"].checks,
        "history_months": HISTORY_MONTHS,
        "csv_urls": csv_urls,
        "period": period,
        "period_days": days,
        "periods": [(n, label, _health_url(slug, n, "value")) for n, label in PERIODS.items()],
        "cycles": kept["value"],
        "stories": kept["stories"],
        "spread": kept["spread"],
        "may_record": rules.may_record_story(access),
    }
    sections = _sections(community, period, cached.stamp(data_version), units, context)
    context |= {f"{name}_html": html for name, html in sections.items()}
    return render(request, "insights/community.html", context)


def _value_rows(community_id: int, period: Period) -> tuple[list[str], list[list]]:
    cycles = value_matrix([community_id], period)[community_id]
    header = ["Cycle", "Figure", "Count", "From", "To"]
    rows = [
        [cycle.name, label, count, period.first_day.isoformat(), period.last_day.isoformat()]
        for cycle in cycles
        for label, count in cycle.figures
    ]
    return header, rows


@login_required
@require_GET
@rate_limited("exports")
def chart_csv(request: HttpRequest, slug: str, chart: str) -> HttpResponse:
    """The numbers of one chart of the health page as a CSV file (formula-safe); the same access as the page."""
    access = get_health_access(request.user, slug)
    community = access.community
    if chart not in CSV_CHARTS:
        raise Http404("No such chart")
    filename = f"{slug}-{chart}"
    if chart in HISTORY_CHARTS:
        header, rows = chart_csv_rows(monthly_history(community)[chart])
    elif chart == "org-units":
        header = ["Org unit", "Active members", "Members"]
        rows = [[unit.name, unit.active, unit.members] for unit in org_unit_spread(community)]
    else:
        period = last_days(_period_days(request))
        header, rows = _value_rows(community.pk, period)
        filename += f"-{period.first_day.isoformat()}-to-{period.last_day.isoformat()}"
    return csv_response(filename=f"{filename}.csv", header=header, rows=rows)


@login_required
@require_http_methods(["GET", "POST"])
def story_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A coordinator, sponsor or staff member records a realized-value or reframing story on the community. An
    archived community sends them back to its health page with the reason."""
    access = get_health_access(request.user, slug, record=True)
    if not rules.may_record_story(access):
        messages.error(request, rules.story_refusal(access))
        return redirect(_health_url(slug, anchor="value"))
    today = services.today_for(request.user)
    cycle = request.GET.get("cycle")
    initial = {"cycle": cycle} if cycle in ValueStory.Cycle.values else {}

    def recorded(story: ValueStory) -> str:
        days = _period_showing(story.happened_on, today)
        if last_days(days, today=today).first_day <= story.happened_on:
            return f"Recorded: “{story.title}”."
        return (
            f"Recorded: “{story.title}”. It happened more than {days} days ago, so the value matrix does not "
            "list it."
        )

    return form_page(
        request,
        ValueStoryForm(request.POST or None, today=today, initial=initial),
        template="insights/story_form.html",
        context={"access": access, "tab": "health"},
        act=lambda data: services.value_story_record(actor=request.user, community=access.community, **data),
        success=recorded,
        then=lambda story: _health_url(slug, _period_showing(story.happened_on, today), f"story-{story.pk}"),
    )

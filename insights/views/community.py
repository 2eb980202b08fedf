"""A community's health page (what sponsors open from their dashboard, the Health tab of its coordinators and
core group), the CSV export of each of its charts, and recording a value story."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.csv_files import csv_response
from core.pages import form_page
from core.ratelimits import rate_limited
from insights import rules, services
from insights.access import get_health_access
from insights.charts import level_bar
from insights.exports import chart_csv_rows
from insights.figures import member_figures
from insights.forms import ValueStoryForm
from insights.health import health_checks
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


@login_required
@require_GET
def health(request: HttpRequest, slug: str) -> HttpResponse:
    """The community's health: figures now, stage-aware checks, 12 months of history, the value-creation matrix
    for a period, and the spread of its active members over org units. A fixed number of queries."""
    access = get_health_access(request.user, slug)
    community = access.community
    days = _period_days(request)
    period = last_days(days)
    members = member_figures([community.pk])
    figures = members[community.pk]
    spread = org_unit_spread(community)
    cycles = value_matrix([community.pk], period)[community.pk]
    context = {
        "access": access,
        "tab": "health",
        "community": community,
        "figures": figures,
        "level_bar": level_bar(
            figures.level_parts(),
            label="Members by commitment level: "
            + ", ".join(f"{label} {count}" for label, count, _ in figures.level_parts()),
            width=320,
        ),
        "checks": health_checks([community], members=members)[community.pk],
        "charts": monthly_history(community),
        "history_months": HISTORY_MONTHS,
        # Keyed with underscores, so templates can read them (csv_urls.org_units).
        "csv_urls": {
            chart.replace("-", "_"): reverse("insights:chart_csv", args=[slug, chart])
            + (f"?period={days}" if chart == "value" else "")
            for chart in CSV_CHARTS
        },
        "period": period,
        "period_days": days,
        "periods": [(n, label, _health_url(slug, n, "value")) for n, label in PERIODS.items()],
        "cycles": cycles,
        "stories": value_stories(community, period),
        "spread": spread,
        "spread_chart": org_unit_chart(spread) if spread else None,
        "may_record": rules.may_record_story(access),
    }
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

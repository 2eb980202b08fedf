"""The sponsor report: one mail per sponsor covering every active community they sponsor, its figures from the
snapshots (this period against the one before), stages, reach, value and stories, a formula-safe CSV, delivered as
a real multipart mail; and a fixed number of queries per batch."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Sponsorship
from insights.deliveries import deliveries_plan, deliveries_send, due_period
from insights.digests import sponsor
from insights.models import Delivery
from insights.snapshots import local_today
from members.services import notification_preferences_update
from repertoire.models import Application, Resource
from tests.benchdata import seed_scaled
from tests.factories import (
    CommunityFactory,
    SnapshotFactory,
    SponsorshipFactory,
    UserFactory,
    ValueStoryFactory,
    coordinator_of,
    member_of,
)
from tests.querycount import assert_constant_function_queries

pytestmark = pytest.mark.django_db

PREFIX = f"[{settings.SITE_NAME}] "
# Tuesday 1 December 2026, 10:00 in New York: November's report and week 48's (23-29 November) are due.
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
NOV = date(2026, 11, 1)
OCT = date(2026, 10, 1)
OCT_31_STOCKS = {
    "members": 10,
    "level_core": 2,
    "level_active": 3,
    "level_occasional": 1,
    "level_peripheral": 3,
    "level_transactional": 1,
    "active_members": 4,
    "org_units": 3,
    "answered_share": 50.0,
    "solved_share": 25.0,
}
NOV_30_STOCKS = {
    "members": 12,
    "level_core": 2,
    "level_active": 4,
    "level_occasional": 2,
    "level_peripheral": 3,
    "level_transactional": 1,
    "active_members": 7,
    "org_units": 4,
    "answered_share": 66.7,
    "solved_share": 25.0,
}


def person(zone: str = "America/New_York", **kwargs):
    user = UserFactory(**kwargs)
    user.profile.time_zone = zone
    user.profile.save(update_fields=["time_zone"])
    return user


def sponsoring(user, *communities) -> None:
    for community in communities:
        SponsorshipFactory(sponsor=user, community=community)


def planned(now: datetime = NOW) -> list[Delivery]:
    """Plan the report as the send command does, and load the rows as deliveries_send does."""
    ids = deliveries_plan("sponsor_report", now=now, force=True)
    return list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("recipient", "recipient__profile", "community")
        .order_by("recipient__email")
    )


def report_of(mail, name: str):
    return next(report for report in mail.context["reports"] if report.community.name == name)


def figures(report) -> dict[str, tuple]:
    """figure key → (this period, previous period, change in words)."""
    return {f.key: (f.now, f.before, f.change_text) for f in report.figures}


@pytest.fixture
def guild():
    """Snapshots of two periods with days missing: flows add up the days there are; stocks are the last day's.
    November (this period) against the 30 days before it, 2-31 October; 1 October and 1 December are outside."""
    guild = CommunityFactory(name="Guild", slug="guild", stage="maturing")
    SnapshotFactory(community=guild, day=OCT, activities_held=9, attendance=90, members=99)
    SnapshotFactory(
        community=guild,
        day=OCT.replace(day=10),
        activities_held=1,
        attendance=5,
        discussions=3,
        resources_added=1,
    )
    SnapshotFactory(
        community=guild,
        day=OCT.replace(day=31),
        activities_held=1,
        attendance=4,
        discussions=1,
        applied=1,
        **OCT_31_STOCKS,
    )
    SnapshotFactory(
        community=guild,
        day=NOV.replace(day=5),
        activities_held=2,
        attendance=12,
        discussions=3,
        resources_added=2,
        applied=1,
    )
    SnapshotFactory(
        community=guild,
        day=NOV.replace(day=20),
        activities_held=1,
        attendance=6,
        resources_added=1,
        applied=2,
    )
    SnapshotFactory(community=guild, day=NOV.replace(day=30), **NOV_30_STOCKS)
    SnapshotFactory(community=guild, day=date(2026, 12, 1), activities_held=9, members=99)
    return guild


@pytest.fixture
def mill():
    """A community whose November has one snapshot (not the last day's) and whose October has none."""
    mill = CommunityFactory(name="Mill", slug="mill", stage="potential")
    coordinator_of(mill)
    member_of(mill, "active")
    member_of(mill)
    member_of(mill)
    SnapshotFactory(community=mill, day=NOV.replace(day=5), attendance=3, members=50)
    return mill


def test_figures_are_the_last_days_stocks_and_the_sums_of_each_periods_flows(guild):
    """Hand-computed from the snapshots: stocks on 30 November and 31 October; flows over 1-30 November and
    2-31 October (days without a snapshot add nothing; 1 October and 1 December are outside both)."""
    sponsoring(person(), guild)
    (delivery,) = planned()
    mail = sponsor.build([delivery])[delivery.pk]

    report = report_of(mail, "Guild")
    assert figures(report) == {
        "members": (12, 10, "▲ up 2"),
        "level_core": (2, 2, "= no change"),
        "level_active": (4, 3, "▲ up 1"),
        "level_occasional": (2, 1, "▲ up 1"),
        "level_peripheral": (3, 3, "= no change"),
        "level_transactional": (1, 1, "= no change"),
        "active_members": (7, 4, "▲ up 3"),
        "org_units": (4, 3, "▲ up 1"),
        "activities_held": (3, 2, "▲ up 1"),
        "attendance": (18, 9, "▲ up 9"),
        "discussions": (3, 4, "▼ down 1"),
        "answered_share": (66.7, 50.0, "▲ up 16.7 points"),
        "solved_share": (25.0, 25.0, "= no change"),
        "resources_added": (3, 1, "▲ up 2"),
        "applied": (3, 1, "▲ up 2"),
    }
    assert not report.live_members
    assert report.stage == "Maturing" and report.stage_index == 3
    assert report.org_units == 4
    assert report.health_url == reverse("insights:community", args=["guild"])
    assert mail.context["period_dates"] == "1\N{EN DASH}30 November 2026"
    assert mail.context["previous_dates"] == "2\N{EN DASH}31 October 2026"
    assert mail.context["period_title"] == "November 2026"
    assert mail.context["action_url"] == reverse("insights:dashboard")


def test_a_missing_last_day_falls_back_to_the_live_member_figures(mill):
    """No snapshot on 30 November: members by level and org units are today's (the shares are not among the
    live figures: no data); a period without any snapshot has no figures at all, not zeros."""
    sponsoring(person(), mill)
    (delivery,) = planned()
    report = report_of(sponsor.build([delivery])[delivery.pk], "Mill")

    assert report.live_members
    got = figures(report)
    assert got["members"] == (4, None, "no earlier figure")  # not the 5 November snapshot's 50
    assert got["level_core"][0] == 1 and got["level_active"][0] == 1 and got["level_peripheral"][0] == 2
    assert got["active_members"][0] == 0  # nobody took part in the last 30 days
    assert got["org_units"][0] == 4  # each member in a unit of their own
    assert got["answered_share"] == (None, None, "no data")
    assert got["attendance"] == (3, None, "no earlier figure")
    assert got["activities_held"] == (0, None, "no earlier figure")


def test_one_mail_per_sponsor_covers_every_active_community_they_sponsor(guild, mill):
    """A sponsor of two communities (and of an archived one) gets one report on the two; a person who
    sponsors only an archived community, or nothing, is no candidate; whoever stopped sponsoring gets nothing."""
    archived = CommunityFactory(name="Archive", archived_at=timezone.now())
    both = person()
    sponsoring(both, mill, guild, archived)
    only_archived = person()
    sponsoring(only_archived, archived)
    nobody = person()

    assert sponsor.candidates(None) == [(both.pk, None)]
    assert sponsor.candidates([mill.pk]) == [(both.pk, None)]
    assert sponsor.candidates([archived.pk]) == []
    (delivery,) = planned()
    assert (delivery.recipient, delivery.scope, delivery.community, delivery.period) == (
        both,
        "",
        None,
        "2026-11",
    )

    mail = sponsor.build([delivery])[delivery.pk]
    assert [report.community.name for report in mail.context["reports"]] == ["Guild", "Mill"]

    gone = Delivery.objects.create(
        recipient=only_archived,
        kind="sponsor_report",
        period="2026-11",
        period_start=delivery.period_start,
        period_end=delivery.period_end,
    )
    not_a_sponsor = Delivery.objects.create(
        recipient=nobody,
        kind="sponsor_report",
        period="2026-11",
        period_start=delivery.period_start,
        period_end=delivery.period_end,
    )
    built = sponsor.build([delivery, gone, not_a_sponsor])
    assert built[gone.pk] is None and built[not_a_sponsor.pk] is None and built[delivery.pk] is not None

    Sponsorship.objects.filter(sponsor=both).exclude(community=archived).delete()
    assert sponsor.build([delivery]) == {delivery.pk: None}


def test_the_csv_has_a_row_per_community_and_figure_safe_from_formulas(guild):
    """Community, figure, this period, previous period; a name a spreadsheet would run as a formula is quoted
    with an apostrophe, numbers stay numbers, a missing figure is empty."""
    evil = CommunityFactory(name='=HYPERLINK("http://evil.example","Click")', slug="evil")
    sponsoring(person(), guild, evil)
    (delivery,) = planned()
    mail = sponsor.build([delivery])[delivery.pk]

    ((filename, content, mimetype),) = mail.attachments
    assert (filename, mimetype) == ("sponsor-report-2026-11.csv", "text/csv")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["Community", "Figure", "This period", "Previous period"]
    per_community = len(sponsor.FIGURES)
    assert len(rows) == 1 + 2 * per_community
    evil_rows = rows[1 : 1 + per_community]  # by name: "=" sorts before "G"
    guild_rows = rows[1 + per_community :]
    assert {row[0] for row in evil_rows} == {'\'=HYPERLINK("http://evil.example","Click")'}
    assert evil_rows[0] == [evil_rows[0][0], "Members", "0", ""]  # live: nobody; no October snapshot
    assert guild_rows[0] == ["Guild", "Members", "12", "10"]
    assert ["Guild", "Discussions answered", "66.7", "50.0"] in guild_rows
    assert ["Guild", "“I applied this” stories", "3", "1"] in guild_rows
    assert ["Guild", "Members: Core group", "2", "2"] in guild_rows
    assert ["Guild", "Members: Active", "4", "3"] in guild_rows
    assert ["Guild", "Active in the last 30 days", "7", "4"] in guild_rows
    assert [row[1] for row in guild_rows] == [figure.csv_label for figure in report_of(mail, "Guild").figures]


def test_the_report_arrives_as_a_multipart_mail_with_the_csv_attached(smtp_server, guild, mill):
    """Through planning and sending: text and HTML alternatives plus the CSV; the one-click unsubscribe
    headers; the dashboard link near the top and every link absolute; an aligned plain-text table; the stories
    quoted with who told them, dated in the sponsor's zone (Auckland, 13 hours ahead of the organization)."""
    boss = person("Pacific/Auckland", full_name="Fatima Sponsor")
    sponsoring(boss, guild, mill)
    ValueStoryFactory(
        community=guild,
        title="Repeat incidents down by a third",
        story="Teams stopped repeating the same failover mistake.",
        happened_on=date(2026, 11, 20),
        recorded_by=UserFactory(full_name="Amara Okafor"),
    )
    runbook = Resource.objects.create(
        community=guild,
        kind="practice",
        title="Failover runbook",
        created_at=datetime(2026, 11, 2, tzinfo=UTC),
        updated_at=datetime(2026, 11, 2, tzinfo=UTC),
    )
    Application.objects.create(
        resource=runbook,
        user=UserFactory(full_name="Bo Builder"),
        story="We ran the drill with it: twenty minutes instead of two hours.",
        created_at=datetime(2026, 11, 15, 23, 30, tzinfo=UTC),  # 16 November in Auckland
    )
    nobody = person()

    ids = deliveries_plan("sponsor_report", now=NOW, force=True)
    result = deliveries_send(ids, token="t")

    assert result.sent == 1
    (mail,) = smtp_server.messages
    assert mail["To"] == boss.email and smtp_server.to(nobody.email) == []
    assert mail["Subject"] == f"{PREFIX}November 2026: your 2 communities"
    assert mail["List-Unsubscribe"].startswith(f"<{settings.SITE_URL}/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    alternative = next(part for part in mail.walk() if part.get_content_type() == "multipart/alternative")
    assert [part.get_content_type() for part in alternative.iter_parts()] == ["text/plain", "text/html"]
    (attachment,) = mail.iter_attachments()
    assert attachment.get_content_type() == "text/csv"
    assert attachment.get_filename() == "sponsor-report-2026-11.csv"
    assert attachment.get_content().startswith("Community,Figure,This period,Previous period")

    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    dashboard = f"{settings.SITE_URL}{reverse('insights:dashboard')}"
    for part in (text, html):
        assert dashboard in part
        assert part.index(dashboard) < part.index("Guild")
        assert f"{settings.SITE_URL}{reverse('insights:community', args=['guild'])}" in part
        assert f"{settings.SITE_URL}{reverse('insights:community', args=['mill'])}" in part
        assert f"{settings.SITE_URL}{reverse('members:notifications')}" in part
        assert unsubscribe in part
        assert "1\N{EN DASH}30 November 2026" in part and "2\N{EN DASH}31 October 2026" in part
        assert "Maturing (stage 3 of 5)" in part and "4 org units" in part
        assert "Realized value: Stories recorded: 1" in part.replace("<strong>", "").replace("</strong>", "")
        assert "Teams stopped repeating the same failover mistake." in part and "Amara Okafor" in part
        assert "twenty minutes instead of two hours" in part and "Bo Builder" in part
        assert "16 November 2026" in part and "15 November 2026" not in part
        assert "You received this because you sponsor Guild and Mill" in part
        assert "Stop the sponsor report" in part and "get this report monthly" in part
        assert 'href="/' not in part
    lines = text.splitlines()
    header = f"{'Figure':<28}{'This period':>12}{'Previous':>10}  Change"
    assert header in lines
    assert f"{'Members':<28}{'12':>12}{'10':>10}  ▲ up 2" in lines
    assert f"{'  Core group':<28}{'2':>12}{'2':>10}  = no change" in lines
    assert f"{'Discussions answered':<28}{'66.7%':>12}{'50%':>10}  ▲ up 16.7 points" in lines
    assert f"{'Discussions started':<28}{'3':>12}{'4':>10}  ▼ down 1" in lines
    assert '<caption style="text-align:left; font-size:13px; color:#55616b; padding:0 0 4px;">Guild:' in html
    assert '<th scope="row"' in html and "▲ up 2" in html
    delivery = Delivery.objects.get(pk__in=ids)
    assert delivery.status == Delivery.Status.SENT

    assert deliveries_send(ids, token="t").sent == 0  # sent once
    assert len(smtp_server.messages) == 1


def test_monthly_and_weekly_reports_cover_their_periods(smtp_server, guild):
    """Monthly (the default) reports on last month against the 30 days before it, weekly on last ISO week
    against the week before; someone who turned the report off gets none."""
    monthly, weekly, off = person(), person(), person()
    for user in (monthly, weekly, off):
        sponsoring(user, guild)
    notification_preferences_update(user=weekly, choices={"sponsor_report": "weekly"})
    notification_preferences_update(user=off, choices={"sponsor_report": "off"})

    rows = planned()
    assert {row.recipient_id: row.period for row in rows} == {monthly.pk: "2026-11", weekly.pk: "2026-W48"}
    deliveries_send([row.pk for row in rows], token="t")

    (month,) = smtp_server.to(monthly.email)
    (week,) = smtp_server.to(weekly.email)
    assert smtp_server.to(off.email) == []
    assert month["Subject"] == f"{PREFIX}November 2026: your community Guild"
    assert week["Subject"] == f"{PREFIX}Week 48 of 2026: your community Guild"
    month_text = month.get_body(("plain",)).get_content()
    week_text = week.get_body(("plain",)).get_content()
    assert (
        "1\N{EN DASH}30 November 2026, against the 30 days before (2\N{EN DASH}31 October 2026)" in month_text
    )
    assert (
        "23\N{EN DASH}29 November 2026, against the 7 days before (16\N{EN DASH}22 November 2026)"
        in week_text
    )
    assert "get this report monthly" in month_text and "get this report weekly" in week_text
    # Week 48: the 30 November snapshot is a week after it; its stocks are the live figures (no 29 November
    # snapshot), the 20 November flows fall in the week before.
    (weekly_row,) = [row for row in rows if row.recipient_id == weekly.pk]
    report = report_of(sponsor.build([weekly_row])[weekly_row.pk], "Guild")
    assert figures(report)["attendance"] == (None, 6, "no data")
    (csv_part,) = week.iter_attachments()
    assert csv_part.get_filename() == "sponsor-report-2026-W48.csv"


def test_a_batch_costs_the_same_queries_whatever_the_data_size():
    """Ten sponsors, each of every benchmark community, reported on last week, at scale 1 and 10:

    1 the sponsorships of the batch's recipients with their communities; 2 the snapshots of both periods;
    3-12 the value matrix of the period (window figures: occurrences held, ledger by kind, participants, joins
    and promotions, discussions; then the top occurrences with attendance, resources, applications, value
    stories counted by cycle, the top value stories); 13 the value stories' authors. (Three more, the live member
    figures, only when a period's last day has no snapshot yet: here every day has one.)
    """
    sponsors = [person("UTC") for _ in range(10)]
    batch: list[Delivery] = []

    def grow(scale: int) -> None:
        seed_scaled(scale)
        new = list(Community.objects.filter(slug__startswith="bench-").order_by("-pk")[: 3 * scale])
        Sponsorship.objects.bulk_create(
            [Sponsorship(community=c, sponsor=s, since=local_today()) for c in new for s in sponsors]
        )
        if not batch:
            period = due_period("weekly", timezone.localtime(timezone.now()).replace(hour=12))
            rows = [
                Delivery.objects.create(
                    recipient=s,
                    kind="sponsor_report",
                    period=period.key,
                    period_start=period.start,
                    period_end=period.end,
                )
                for s in sponsors
            ]
            batch.extend(
                Delivery.objects.filter(pk__in=[row.pk for row in rows]).select_related(
                    "recipient", "recipient__profile", "community"
                )
            )

    reports: list[int] = []

    def run() -> None:
        mails = sponsor.build(batch)
        reports.append(sum(len(mail.context["reports"]) for mail in mails.values() if mail))

    assert_constant_function_queries(run, grow=grow, expected=13)
    assert reports == [10 * 3, 10 * 33]  # every sponsor, every community: the work grew, the queries did not

"""A community's health page, its CSV exports and recording a value story: who may see and do what, what the
page and the files hold (checked against snapshots and stories made here), and a constant query count."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Participation, Sponsorship
from core.rules import NotPermitted
from insights.history import HISTORY_CHARTS, month_label, month_starts
from insights.models import Snapshot, ValueStory
from insights.services import value_story_record
from insights.snapshots import local_today
from insights.views.community import CSV_CHARTS
from tests.benchdata import seed_scaled
from tests.factories import (
    CommunityFactory,
    OrgUnitFactory,
    SnapshotFactory,
    SponsorshipFactory,
    UserFactory,
    ValueStoryFactory,
    coordinator_of,
    member_of,
)
from tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db


def page_url(community: Community, **query) -> str:
    url = reverse("insights:community", args=[community.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def csv_url(community: Community, chart: str, **query) -> str:
    url = reverse("insights:chart_csv", args=[community.slug, chart])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def story_url(community: Community) -> str:
    return reverse("insights:story_create", args=[community.slug])


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


# --- People -------------------------------------------------------------------------------------------------


@pytest.fixture
def guild():
    return CommunityFactory(name="Reliability Guild", slug="guild", stage="maturing")


@pytest.fixture
def vault():
    """A private community."""
    return CommunityFactory(name="Safety Vault", slug="vault", visibility="private")


@pytest.fixture
def people(guild, vault):
    """Everyone the access rules tell apart, for the listed guild and the private vault."""
    elsewhere = CommunityFactory(name="Elsewhere")
    coordinator = coordinator_of(guild, user=UserFactory(full_name="Cora Coordinator"))
    sponsor = SponsorshipFactory(community=guild, sponsor=UserFactory(full_name="Sol Sponsor")).sponsor
    other_sponsor = SponsorshipFactory(
        community=elsewhere, sponsor=UserFactory(full_name="Otto Other")
    ).sponsor
    return {
        "coordinator": coordinator,
        "core": member_of(guild, "core", user=UserFactory(full_name="Carl Core")),
        "peripheral": member_of(guild, "peripheral", user=UserFactory(full_name="Pia Peripheral")),
        "sponsor": sponsor,
        "other_sponsor": other_sponsor,
        "outsider": UserFactory(full_name="Olga Outsider"),
        "staff": UserFactory(full_name="Stan Staff", is_staff=True),
        "vault_coordinator": coordinator_of(vault),
        "vault_sponsor": SponsorshipFactory(community=vault).sponsor,
        "vault_core": member_of(vault, "core"),
        "vault_peripheral": member_of(vault, "peripheral"),
    }


# Who gets what: the listed guild, then the private vault.
GUILD_ACCESS = [
    ("sponsor", 200),
    ("coordinator", 200),
    ("core", 200),
    ("staff", 200),
    ("peripheral", 403),
    ("other_sponsor", 403),
    ("outsider", 403),
]
VAULT_ACCESS = [
    ("vault_sponsor", 200),
    ("vault_coordinator", 200),
    ("vault_core", 200),
    ("staff", 200),
    ("vault_peripheral", 403),
    ("other_sponsor", 404),
    ("outsider", 404),
]


# --- Access: the page and every export ----------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), GUILD_ACCESS)
def test_who_sees_the_health_page_of_a_listed_community(client, people, guild, who, status):
    client.force_login(people[who])
    assert client.get(page_url(guild)).status_code == status


@pytest.mark.parametrize(("who", "status"), VAULT_ACCESS)
def test_who_sees_the_health_page_of_a_private_community(client, people, vault, who, status):
    client.force_login(people[who])
    assert client.get(page_url(vault)).status_code == status


@pytest.mark.parametrize("chart", CSV_CHARTS)
@pytest.mark.parametrize(("who", "status"), GUILD_ACCESS)
def test_who_downloads_the_csv_exports_of_a_listed_community(client, people, guild, chart, who, status):
    client.force_login(people[who])
    response = client.get(csv_url(guild, chart))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].startswith(f'attachment; filename="guild-{chart}')


@pytest.mark.parametrize("chart", CSV_CHARTS)
@pytest.mark.parametrize(("who", "status"), VAULT_ACCESS)
def test_who_downloads_the_csv_exports_of_a_private_community(client, people, vault, chart, who, status):
    client.force_login(people[who])
    assert client.get(csv_url(vault, chart)).status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client, guild):
    for url in (page_url(guild), csv_url(guild, "membership"), story_url(guild)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_an_unknown_chart_or_community_is_not_found(client, people, guild):
    client.force_login(people["staff"])
    assert client.get(csv_url(guild, "secrets")).status_code == 404
    assert client.get(reverse("insights:community", args=["no-such-community"])).status_code == 404


def test_the_page_and_exports_only_answer_get(client, people, guild):
    client.force_login(people["coordinator"])
    assert client.post(page_url(guild)).status_code == 405
    assert client.post(csv_url(guild, "membership")).status_code == 405


def test_the_health_tab_shows_for_those_who_may_read_it(client, people, guild):
    tab = f'href="{page_url(guild)}">Health</a>'
    home = reverse("communities:home", args=[guild.slug])
    for who, shown in [
        ("coordinator", True),
        ("core", True),
        ("sponsor", True),
        ("staff", True),
        ("peripheral", False),
        ("outsider", False),
    ]:
        client.force_login(people[who])
        assert (tab in client.get(home).content.decode()) is shown, who
    client.force_login(people["coordinator"])
    assert (
        'aria-current="page" href="' + page_url(guild) + '">Health</a>'
        in client.get(page_url(guild)).content.decode()
    )


# --- What the page shows ------------------------------------------------------------------------------------


def test_the_page_shows_figures_now_and_the_checks_for_the_stage(client, people, guild):
    """Members by level (3 here: coordinator in the core group, a core member, a peripheral member), one active
    member, and the maturing stage's checks with what they measured, the threshold, status and advice."""
    Participation.objects.create(
        community=guild, user=people["core"], kind=Participation.Kind.REPLIED, at=timezone.now()
    )
    client.force_login(people["sponsor"])
    response = client.get(page_url(guild))
    figures = response.context["figures"]
    assert (figures.members, figures.levels["core"], figures.levels["peripheral"]) == (3, 2, 1)
    assert (figures.active_members, figures.coordinators) == (1, 1)
    html = response.content.decode()
    assert (
        "Members by commitment level: Core group 2, Active 0, Occasional 0, Peripheral 1, Transactional 0"
        in html
    )
    assert "33.3% of members" in html
    keys = [check.key for check in response.context["checks"]]
    assert keys == [
        "coordinator",
        "rhythm",
        "active_share",
        "repertoire",
        "answered",
        "first_reply",
        "applied",
    ]
    assert "Health checks for the maturing stage" in html
    assert "0 resources added in the last 90 days" in html
    assert "At least 3" in html
    assert "Needs attention" in html
    assert "Harvest accepted answers" in html


def test_the_page_has_every_chart_with_its_csv_link(client, people, guild):
    client.force_login(people["coordinator"])
    html = client.get(page_url(guild)).content.decode()
    for chart in HISTORY_CHARTS:
        assert f'id="chart-{chart}"' in html
        assert f'href="{csv_url(guild, chart)}"' in html
    assert f'href="{csv_url(guild, "value", period=90)}"' in html


def test_the_value_matrix_lists_recorded_stories_with_who_when_and_evidence(client, people, guild):
    story = ValueStoryFactory(
        community=guild,
        title="Repeat incidents down by a third",
        evidence="Incident log, Q3",
        happened_on=local_today() - timedelta(days=10),
        recorded_by=people["coordinator"],
    )
    reframing = ValueStoryFactory(community=guild, cycle="reframing", title="Measure hours saved")
    old = ValueStoryFactory(
        community=guild, title="Long ago", happened_on=local_today() - timedelta(days=200)
    )
    client.force_login(people["sponsor"])
    html = client.get(page_url(guild)).content.decode()
    assert f'id="story-{story.pk}"' in html
    assert "Repeat incidents down by a third" in html
    assert "recorded by Cora Coordinator" in html
    assert "Incident log, Q3" in html
    assert f'id="story-{reframing.pk}"' in html
    assert f'id="story-{old.pk}"' not in html  # outside the default 90 days
    assert f'id="story-{old.pk}"' in client.get(page_url(guild, period=365)).content.decode()


def test_the_period_selector_changes_the_value_matrix(client, people, guild):
    ValueStoryFactory(community=guild, happened_on=local_today() - timedelta(days=60))
    client.force_login(people["coordinator"])

    def stories_recorded(response) -> int:
        realized = next(cycle for cycle in response.context["cycles"] if cycle.key == "realized")
        return dict(realized.figures)["Stories recorded"]

    assert stories_recorded(client.get(page_url(guild, period=30))) == 0
    assert stories_recorded(client.get(page_url(guild, period=90))) == 1
    response = client.get(page_url(guild, period="bogus"))
    assert response.context["period_days"] == 90
    assert 'aria-current="true">Last 90 days' in response.content.decode()


def test_the_org_unit_spread_lists_units_by_active_members(client, people, guild):
    ops = OrgUnitFactory(name="Operations")
    for _ in range(2):
        user = member_of(guild, user=UserFactory(org_unit=ops))
        Participation.objects.create(
            community=guild, user=user, kind=Participation.Kind.POSTED, at=timezone.now()
        )
    client.force_login(people["coordinator"])
    response = client.get(page_url(guild))
    spread = response.context["spread"]
    assert (spread[0].name, spread[0].active, spread[0].members) == ("Operations", 2, 2)
    assert all(unit.active == 0 for unit in spread[1:])
    assert 'id="chart-org-units"' in response.content.decode()


def test_only_coordinators_sponsors_and_staff_are_offered_to_record_a_story(client, people, guild):
    button = f'href="{story_url(guild)}">Record a value story</a>'
    for who, offered in [("coordinator", True), ("sponsor", True), ("staff", True), ("core", False)]:
        client.force_login(people[who])
        assert (button in client.get(page_url(guild)).content.decode()) is offered, who


# --- CSV contents -------------------------------------------------------------------------------------------


@pytest.fixture
def months():
    """The charts' twelve months (oldest first), ending with the month that holds yesterday."""
    return month_starts(local_today() - timedelta(days=1), 12)


@pytest.fixture
def snapshots(guild, months):
    """Two months with snapshots: the one before last (two days, the days between them missing) and the last
    (its first day); the month between them has none."""
    two_before, last = months[-3], months[-1]
    SnapshotFactory(
        community=guild,
        day=two_before.replace(day=3),
        level_core=2,
        level_peripheral=4,
        active_members=3,
        activities_held=1,
        attendance=6,
        discussions=2,
        resources_added=1,
        applied=0,
        answered_share=50.0,
        solved_share=25.0,
    )
    SnapshotFactory(
        community=guild,
        day=two_before.replace(day=20),
        level_core=3,
        level_active=1,
        level_peripheral=5,
        active_members=4,
        activities_held=2,
        attendance=9,
        discussions=1,
        resources_added=2,
        applied=3,
        answered_share=66.6667,
        solved_share=None,
    )
    SnapshotFactory(
        community=guild,
        day=last,
        level_core=3,
        level_active=2,
        level_transactional=1,
        active_members=2,
        activities_held=1,
        attendance=3,
    )
    SnapshotFactory(community=CommunityFactory(), day=last, level_core=90, activities_held=90)


def download(client, people, community, chart, **query) -> list[list[str]]:
    client.force_login(people["sponsor"])
    response = client.get(csv_url(community, chart, **query))
    assert response.status_code == 200
    return read_csv(response)


def test_membership_csv_holds_month_end_members_by_level(client, people, guild, months, snapshots):
    rows = download(client, people, guild, "membership")
    assert rows[0] == ["Month", "Core group", "Active", "Occasional", "Peripheral", "Transactional"]
    assert [row[0] for row in rows[1:]] == [month_label(month) for month in months]
    assert rows[-3][1:] == ["3", "1", "0", "5", "0"]  # the 20th, the month's last snapshot
    assert rows[-2][1:] == ["", "", "", "", ""]  # no snapshot that month: empty cells, not zeros
    assert rows[-1][1:] == ["3", "2", "0", "0", "1"]
    assert rows[1][1:] == ["", "", "", "", ""]


def test_activity_csv_sums_the_month(client, people, guild, snapshots):
    rows = download(client, people, guild, "activities")
    assert rows[0] == ["Month", "Activities held", "Attendances"]
    assert [row[1:] for row in rows[-3:]] == [["3", "15"], ["", ""], ["1", "3"]]


def test_active_discussions_shares_and_repertoire_csvs(client, people, guild, snapshots):
    active = download(client, people, guild, "active")
    assert active[0] == ["Month", "Active members"]
    assert [row[1] for row in active[-3:]] == ["4", "", "2"]
    discussions = download(client, people, guild, "discussions")
    assert [row[1] for row in discussions[-3:]] == ["3", "", "0"]
    shares = download(client, people, guild, "shares")
    assert shares[0] == ["Month", "Answered", "Solved"]
    assert [row[1:] for row in shares[-3:]] == [["66.7", ""], ["", ""], ["", ""]]
    repertoire = download(client, people, guild, "repertoire")
    assert repertoire[0] == ["Month", "Resources added", "“I applied this” stories"]
    assert [row[1:] for row in repertoire[-3:]] == [["3", "3"], ["", ""], ["0", "0"]]


def test_org_units_csv_is_formula_safe(client, people, guild):
    unit = OrgUnitFactory(name='=HYPERLINK("http://evil.example")')
    user = member_of(guild, user=UserFactory(org_unit=unit))
    Participation.objects.create(
        community=guild, user=user, kind=Participation.Kind.REPLIED, at=timezone.now()
    )
    rows = download(client, people, guild, "org-units")
    assert rows[0] == ["Org unit", "Active members", "Members"]
    assert rows[1] == ['\'=HYPERLINK("http://evil.example")', "1", "1"]
    assert (
        len(rows) == 1 + 4
    )  # that unit and the units of the coordinator, the core and the peripheral member


def test_value_csv_holds_the_figures_of_the_selected_period(client, people, guild):
    today = local_today()
    ValueStoryFactory(community=guild, happened_on=today - timedelta(days=100))
    ValueStoryFactory(community=guild, cycle="reframing", happened_on=today)
    rows = download(client, people, guild, "value")
    assert rows[0] == ["Cycle", "Figure", "Count", "From", "To"]
    first_day = (today - timedelta(days=89)).isoformat()
    assert ["Realized value", "Stories recorded", "0", first_day, today.isoformat()] in rows
    assert ["Reframing value", "Stories recorded", "1", first_day, today.isoformat()] in rows
    assert {row[0] for row in rows[1:]} == {
        "Immediate value",
        "Potential value",
        "Applied value",
        "Realized value",
        "Reframing value",
    }
    year = download(client, people, guild, "value", period=365)
    assert ["Realized value", "Stories recorded", "1"] in [row[:3] for row in year]


# --- Recording a value story --------------------------------------------------------------------------------


def story_data(**changes) -> dict:
    data = {
        "cycle": "realized",
        "title": "Night pages halved",
        "story": "After the runbook, on-call pages at night went from 12 to 6 a month.",
        "evidence": "=SUM(A1) pager report",
        "happened_on": (local_today() - timedelta(days=3)).isoformat(),
    }
    data.update(changes)
    return data


def test_the_form_has_labels_and_help(client, people, guild):
    client.force_login(people["coordinator"])
    response = client.get(story_url(guild))
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Kind of value", "Title", "Story", "Evidence", "When it happened"):
        assert label in html
    assert 'for="id_title"' in html
    assert "not in the future" in html
    assert client.get(story_url(guild) + "?cycle=reframing").context["form"].initial == {"cycle": "reframing"}


@pytest.mark.parametrize("who", ["coordinator", "sponsor", "staff"])
def test_coordinators_sponsors_and_staff_record_a_story(client, people, guild, who):
    client.force_login(people[who])
    response = client.post(story_url(guild), story_data())
    story = ValueStory.objects.get()
    assert (story.community, story.recorded_by, story.title) == (guild, people[who], "Night pages halved")
    assert story.happened_on == local_today() - timedelta(days=3)
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(guild)}#story-{story.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Recorded: “Night pages halved”." in page
    assert f'id="story-{story.pk}"' in page


def test_an_older_story_redirects_to_a_period_that_shows_it(client, people, guild):
    client.force_login(people["coordinator"])
    response = client.post(
        story_url(guild), story_data(happened_on=(local_today() - timedelta(days=120)).isoformat())
    )
    story = ValueStory.objects.get()
    assert response["Location"] == f"{page_url(guild, period=365)}#story-{story.pk}"
    assert f'id="story-{story.pk}"' in client.get(response["Location"]).content.decode()


def test_recording_takes_get_and_post_only(client, people, guild):
    client.force_login(people["coordinator"])
    assert client.put(story_url(guild), story_data()).status_code == 405
    assert client.delete(story_url(guild)).status_code == 405
    assert not ValueStory.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("core", 403), ("peripheral", 403), ("other_sponsor", 403), ("outsider", 403)]
)
def test_members_without_the_right_cannot_record(client, people, guild, who, status):
    client.force_login(people[who])
    assert client.get(story_url(guild)).status_code == status
    assert client.post(story_url(guild), story_data()).status_code == status
    assert not ValueStory.objects.exists()


def test_outsiders_of_a_private_community_get_not_found(client, people, vault):
    client.force_login(people["outsider"])
    assert client.post(story_url(vault), story_data()).status_code == 404
    assert not ValueStory.objects.exists()


@pytest.mark.parametrize("happened_on", ["0001-01-01", "1999-12-31"])
def test_a_date_more_than_ten_years_back_is_refused(client, people, guild, happened_on):
    """Issue 14, item 1: every date a person types has a stated range."""
    client.force_login(people["coordinator"])
    response = client.post(story_url(guild), story_data(happened_on=happened_on))
    assert response.status_code == 400  # bad input: the form comes back with what was typed
    html = response.content.decode()
    assert "Choose a date in the last 10 years" in html and "Night pages halved" in html
    assert not ValueStory.objects.exists()


def test_a_date_in_the_future_is_refused(client, people, guild):
    client.force_login(people["coordinator"])
    response = client.post(
        story_url(guild), story_data(happened_on=(local_today() + timedelta(days=2)).isoformat())
    )
    assert response.status_code == 400  # bad input: the form comes back with what was typed
    html = response.content.decode()
    assert "The date cannot be in the future" in html
    assert "Night pages halved" in html  # what was typed is kept
    assert not ValueStory.objects.exists()


def test_an_empty_title_is_refused(client, people, guild):
    client.force_login(people["coordinator"])
    response = client.post(story_url(guild), story_data(title="  "))
    assert response.status_code == 400  # bad input: the form comes back with what was typed
    assert "Give the story a title" in response.content.decode()
    assert response.context["form"].errors["title"]
    assert not ValueStory.objects.exists()


def test_an_unknown_cycle_is_refused(client, people, guild):
    client.force_login(people["coordinator"])
    response = client.post(story_url(guild), story_data(cycle="imaginary"))
    assert response.status_code == 400  # bad input: the form comes back with what was typed
    assert response.context["form"].errors["cycle"]
    assert not ValueStory.objects.exists()


def test_an_archived_community_takes_no_new_stories(client, people, guild):
    Community.objects.filter(pk=guild.pk).update(archived_at=timezone.now())
    client.force_login(people["sponsor"])
    for response in (client.get(story_url(guild)), client.post(story_url(guild), story_data())):
        assert response.status_code == 302
        assert response["Location"] == page_url(guild) + "#value"
    page = client.get(page_url(guild)).content.decode()
    assert "is archived: its value stories are kept for reference" in page
    assert f'href="{story_url(guild)}">Record a value story' not in page
    assert not ValueStory.objects.exists()


def test_the_service_checks_the_right_the_archive_and_the_date(people, guild):
    fields = {
        "cycle": "realized",
        "title": "A result",
        "story": "It happened.",
        "evidence": "",
        "happened_on": local_today(),
    }
    with pytest.raises(NotPermitted, match="Only this community's coordinators, its sponsors and staff"):
        value_story_record(actor=people["core"], community=guild, **fields)
    with pytest.raises(ValidationError, match="future"):
        value_story_record(
            actor=people["coordinator"],
            community=guild,
            **{**fields, "happened_on": local_today() + timedelta(days=3)},
        )
    with pytest.raises(ValidationError):
        value_story_record(actor=people["coordinator"], community=guild, **{**fields, "title": ""})
    assert not ValueStory.objects.exists()
    story = value_story_record(actor=people["sponsor"], community=guild, **fields)
    assert story.recorded_by == people["sponsor"]
    guild.archived_at = timezone.now()
    with pytest.raises(ValidationError, match="archived"):
        value_story_record(actor=people["sponsor"], community=guild, **fields)
    assert ValueStory.objects.count() == 1


# --- Query count --------------------------------------------------------------------------------------------


def grow_with_history(viewer):
    """The benchmark set, with the viewer sponsoring each new benchmark community, a year of snapshots for each,
    and value stories in bench-2 (the community the viewer opens)."""

    def grow(scale: int) -> None:
        seed_scaled(scale)
        bench = list(
            Community.objects.filter(slug__startswith="bench-").exclude(sponsorships__sponsor=viewer)
        )
        Sponsorship.objects.bulk_create(
            [Sponsorship(community=c, sponsor=viewer, since=local_today()) for c in bench]
        )
        today = local_today()
        days = [today - timedelta(days=n) for n in range(1, 371)]
        Snapshot.objects.bulk_create(
            [
                Snapshot(
                    community=c,
                    day=day,
                    members=5,
                    level_core=2,
                    level_active=3,
                    active_members=2,
                    attendance=1,
                )
                for c in bench
                for day in days
            ],
            ignore_conflicts=True,
        )
        target = Community.objects.get(slug="bench-2")
        ValueStory.objects.bulk_create(
            [
                ValueStory(
                    community=target,
                    cycle="realized" if n % 2 else "reframing",
                    title=f"Story {n}",
                    story="-",
                    happened_on=today - timedelta(days=n % 80),
                    recorded_by=viewer,
                )
                for n in range(3 * scale)
            ]
        )

    return grow


def test_the_page_runs_a_constant_number_of_queries(client):
    """A sponsor opens bench-2 (listed, maturing: the stage with the most checks) at two sizes of data, with
    nothing kept in the cache (as after a change of its data):

    1 the signed-in user; 2 the community with whether the viewer sponsors it and their membership; 3-5 member
    figures (members by level and role, active members, org units); 6 the org-unit spread; 7-16 the value matrix
    (5 window figures: occurrences held, ledger by kind, participants, joins and promotions, discussions; then
    example occurrences, resources, applied stories, story counts, example stories); 17 the health checks'
    rhythm (dates held and the longest gap in 84 days); 18-20 their 90-day window (ledger by kind, joins and
    promotions, discussions); 21 the year of snapshots; 22 the recorded stories of the period.
    The session lives in Redis; the sponsor flag is cached.
    """
    viewer = UserFactory(full_name="Bea Bench")
    client.force_login(viewer)
    url = reverse("insights:community", args=["bench-2"])
    assert_constant_queries(client, url, grow=grow_with_history(viewer), expected=22, cold=True)


def test_the_page_reads_two_queries_while_no_data_changes(client):
    """Once computed, its figures, value matrix, recorded stories and spread are kept in the cache
    (insights.cached), and so are the sections that show them alike to everyone (core.fragments): 1 the signed-in
    user; 2 the community with whether the viewer sponsors it and their membership."""
    viewer = UserFactory(full_name="Bea Bench")
    client.force_login(viewer)
    url = reverse("insights:community", args=["bench-2"])
    assert_constant_queries(client, url, grow=grow_with_history(viewer), expected=2)

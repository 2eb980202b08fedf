"""manage.py rebuild_snapshots: its options, its errors and its output; and snapshots it rebuilds for a past day
equal those the daily task took that night, after later changes the replay must ignore."""

import re
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from activities.calendar import services as activity_services
from activities.discussions import services as discussion_services
from communities import services as community_services
from communities.models import Community, Membership
from insights.models import SNAPSHOT_FIGURES, Snapshot
from insights.tasks import take_daily_snapshots
from repertoire import services as repertoire_services
from tests.factories import CommunityFactory, OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

D0 = date(2026, 5, 4)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


@contextmanager
def clock(when: date, hour: int, minute: int = 0):
    moment = datetime.combine(when, time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def rebuild(*args: str) -> str:
    out = StringIO()
    call_command("rebuild_snapshots", *args, stdout=out)
    return out.getvalue()


def stored() -> dict[tuple[str, date], dict]:
    return {
        (s.community.slug, s.day): {name: getattr(s, name) for name in SNAPSHOT_FIGURES}
        for s in Snapshot.objects.select_related("community")
    }


def member(community: Community, user) -> Membership:
    return Membership.objects.get(community=community, user=user)


@pytest.fixture
def people():
    unit = OrgUnitFactory()
    return {
        name: UserFactory(full_name=name, org_unit=unit if name != "Cora" else None)
        for name in ("Cora", "Ann", "Ben", "Dan", "Eve")
    }


@pytest.fixture
def guild(people):
    """Founded on day 0 by Cora, with Ann, Ben and Eve; an activity, a question and its answer on day 2."""
    cora, ann, ben, eve = people["Cora"], people["Ann"], people["Ben"], people["Eve"]
    with clock(day(0), 9):
        guild = community_services.community_propose(
            proposer=cora, name="Guild", domain="Running things well."
        )
        guild.slug = "guild"
        guild.save(update_fields=["slug"])
        for person in (ann, ben, eve):
            community_services.membership_join(user=person, community=guild)
        activity = activity_services.activity_schedule(
            actor=cora,
            community=guild,
            title="Clinic",
            start_local=datetime.combine(day(2), time(14)),
            end_local=datetime.combine(day(2), time(15)),
            time_zone=settings.TIME_ZONE,
        )
    with clock(day(1), 10):
        community_services.membership_change_level(actor=cora, membership=member(guild, ann), level="active")
        activity_services.rsvp_set(user=ann, occurrence=activity.occurrences.get(), answer="going")
    with clock(day(2), 15):
        activity_services.attendance_record(
            actor=cora, occurrence=activity.occurrences.get(), attended_user_ids={ann.pk, ben.pk}
        )
    with clock(day(2), 16):
        question = discussion_services.discussion_start(author=ann, community=guild, title="How?", body="?")
        resource = repertoire_services.resource_create(actor=ann, community=guild, title="Checklist")
    with clock(day(2), 19):
        reply = discussion_services.reply_add(author=ben, discussion=question, body="So.")
    with clock(day(2), 20):
        repertoire_services.resource_apply(actor=ben, resource=resource, story="It helped.")
    guild.question, guild.reply, guild.resource = question, reply, resource
    return guild


def test_a_rebuilt_day_equals_the_snapshot_the_daily_task_took_that_night(people, guild):
    """The task takes day 2 just after midnight. On the following days members join, leave and change level,
    the question of day 2 gets another answer and is solved, a second community is founded: none of that
    happened on day 2, so rebuilding day 2 (alone or within a longer range) gives the same figures."""
    with clock(day(3), 0, 20):
        assert take_daily_snapshots() == 1
    nightly = stored()
    assert list(nightly) == [("guild", day(2))]
    taken = nightly[("guild", day(2))]
    # Not a vacuous comparison: the day had something in most figures.
    assert {name for name, value in taken.items() if value} >= {
        "members",
        "level_core",
        "level_active",
        "level_peripheral",
        "coordinators",
        "active_members",
        "org_units",
        "activities_held",
        "attendance",
        "discussions",
        "replies",
        "resources_added",
        "applied",
        "recent_discussions",
        "answered_share",
        "median_first_reply_hours",
    }
    cora, ann, ben, dan, eve = (people[n] for n in ("Cora", "Ann", "Ben", "Dan", "Eve"))
    with clock(day(3), 9):
        discussion_services.reply_add(author=cora, discussion=guild.question, body="And so.")
        discussion_services.reply_accept(actor=ann, discussion=guild.question, reply=guild.reply)
        community_services.membership_leave(user=ben, membership=member(guild, ben))
        community_services.membership_join(user=dan, community=guild, level="occasional")
        community_services.membership_change_level(actor=cora, membership=member(guild, eve), level="core")
        community_services.membership_change_role(
            actor=cora, membership=member(guild, eve), role="coordinator"
        )
    with clock(day(4), 9):
        community_services.community_propose(proposer=ann, name="Forum", domain="Talking it over.")
        discussion_services.discussion_start(author=eve, community=guild, title="Next?", body="?")
    taken_at = Snapshot.objects.get().taken_at

    with clock(day(5), 12):
        output = rebuild("--since", day(2).isoformat(), "--until", day(2).isoformat())
    assert "Stored 1 snapshot for" in output
    assert stored() == nightly
    assert Snapshot.objects.get().taken_at > taken_at  # really written again

    with clock(day(5), 12):
        rebuild("--since", day(0).isoformat(), "--until", day(4).isoformat())
    assert stored()[("guild", day(2))] == taken
    assert stored()[("guild", day(3))] != taken  # the later days did change


def test_by_default_the_last_365_days_up_to_yesterday_for_every_community(guild):
    """Today is day 10: days from 364 days before yesterday to yesterday, but only since the Guild was founded;
    a community founded today has no day to snapshot yet."""
    with clock(day(10), 12):
        CommunityFactory(slug="newborn")
        output = rebuild()
    first = day(9) - timedelta(days=364)
    assert re.fullmatch(
        rf"Stored 10 snapshots for {first} to {day(9)} \(365 days\) in \d+\.\d s\.\n", output
    ), output
    assert sorted(stored()) == [("guild", day(n)) for n in range(10)]


def test_days_counts_back_from_until(guild):
    with clock(day(10), 12):
        output = rebuild("--days", "3", "--until", day(5).isoformat())
    assert f"Stored 3 snapshots for {day(3)} to {day(5)} (3 days)" in output
    assert sorted(stored()) == [("guild", day(n)) for n in (3, 4, 5)]


def test_one_day_is_said_in_the_singular(guild):
    with clock(day(10), 12):
        output = rebuild("--days", "1")
    assert f"Stored 1 snapshot for {day(9)} to {day(9)} (1 day) in" in output


def test_community_limits_the_rebuild_to_the_slugs_given_once_or_repeated(guild):
    with clock(day(0), 8):
        for slug in ("one", "two", "three"):
            CommunityFactory(slug=slug)
    with clock(day(10), 12):
        rebuild("--since", day(1).isoformat(), "--until", day(2).isoformat(), "--community", "one", "guild")
        rebuild(
            "--since",
            day(1).isoformat(),
            "--until",
            day(1).isoformat(),
            "--community",
            "two",
            "--community",
            "one",
        )
    assert sorted(stored()) == [
        ("guild", day(1)),
        ("guild", day(2)),
        ("one", day(1)),
        ("one", day(2)),
        ("two", day(1)),
    ]


def test_running_it_again_overwrites_the_same_rows(guild):
    with clock(day(10), 12):
        rebuild("--days", "5")
        first = dict(Snapshot.objects.values_list("day", "pk"))
        Snapshot.objects.update(members=0)
        rebuild("--days", "5")
    assert dict(Snapshot.objects.values_list("day", "pk")) == first
    assert set(Snapshot.objects.values_list("members", flat=True)) == {4}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-02-30"], "--since: “2026-02-30” is not a date; write it as YYYY-MM-DD."),
        (["--until", "yesterday"], "--until: “yesterday” is not a date; write it as YYYY-MM-DD."),
        (
            ["--since", "2026-05-10", "--until", "2026-05-09"],
            "--since 2026-05-10 is after --until 2026-05-09: nothing to rebuild.",
        ),
        (["--until", "2026-05-14"], "--until 2026-05-14: that day is not over yet (today is 2026-05-14)"),
        (["--until", "2026-06-01"], "that day is not over yet"),
        (["--days", "0"], "--days 0: rebuild at least one day."),
        (["--community", "guild", "nope", "--community", "gone"], "No community with the slug nope, gone."),
        (["--days", "3", "--since", "2026-05-01"], "argument --since: not allowed with argument --days"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message_and_nothing_stored(guild, args, message):
    with clock(day(10), 12), pytest.raises(CommandError) as refused:
        rebuild(*args)
    assert message in str(refused.value)
    assert not Snapshot.objects.exists()


def test_the_help_describes_every_option(capsys):
    with pytest.raises(SystemExit):
        call_command("rebuild_snapshots", "--help")
    text = " ".join(capsys.readouterr().out.split())
    assert "the last 365 days up to yesterday for every community" in text
    for option in ("--days DAYS", "--since YYYY-MM-DD", "--until YYYY-MM-DD", "--community SLUG [SLUG ...]"):
        assert option in text

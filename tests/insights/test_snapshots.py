"""insights.snapshots: each community's figures per local day, replayed from the history the real services record.

The fixtures are built through the services (joining, levels, roles, leaving, RSVPs, attendance, discussions,
resources, "I applied this") with the clock frozen at each step, and every snapshot figure is compared with a
value computed by hand from the story below.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from activities.calendar import services as activity_services
from activities.discussions import services as discussion_services
from activities.models import Discussion, Occurrence
from communities import services as community_services
from communities.models import Community, Membership, Participation
from copsite.demo import seed_scaled
from copsite.demo.insights import FULL_YEAR_FROM_SCALE, SMALL_SCALE_SNAPSHOT_DAYS, seed_scaled_snapshots
from insights.figures import member_figures
from insights.models import SNAPSHOT_FIGURES, Snapshot, ValueStory
from insights.snapshots import (
    CATCH_UP_DAYS,
    compute_snapshots,
    day_start,
    local_today,
    snapshots_rebuild,
    snapshots_store,
    snapshots_take_daily,
)
from insights.tasks import take_daily_snapshots
from members.models import User
from repertoire import services as repertoire_services
from tests.factories import CommunityFactory, OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

D0 = date(2026, 3, 2)  # a Monday, well away from the change to summer time


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def local(when: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time on a day in the organization's time zone."""
    return datetime.combine(when, time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


@contextmanager
def clock(when: date, hour: int, minute: int = 0):
    """Freeze `timezone.now()` (every service asks it) at a local wall-clock time."""
    moment = local(when, hour, minute)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def membership(community: Community, user: User) -> Membership:
    return Membership.objects.get(community=community, user=user)


def figures(snapshot: Snapshot) -> dict:
    return {name: getattr(snapshot, name) for name in SNAPSHOT_FIGURES}


SHARES = {"answered_share", "solved_share", "median_first_reply_hours"}


def expect(**given) -> dict:
    """Every snapshot figure: the given ones, zero for the other counts, None for the other shares."""
    unknown = set(given) - set(SNAPSHOT_FIGURES)
    assert not unknown, unknown
    return {name: given.get(name, None if name in SHARES else 0) for name in SNAPSHOT_FIGURES}


def by_day(snapshots: list[Snapshot]) -> dict[tuple[int, date], Snapshot]:
    return {(s.community_id, s.day): s for s in snapshots}


# --- The story ------------------------------------------------------------------------------------------


@dataclass
class Story:
    cora: User  # coordinator (unit A)
    ann: User  # unit B; becomes active and a second coordinator
    ben: User  # unit B; promoted to the core group, leaves on day 5
    eve: User  # no org unit
    dan: User  # unit C, joins on day 4
    guild: Community
    forum: Community  # founded on day 2; Ann is a member of both
    lab: Community  # archived on day 3
    quiet: Community  # no members, nothing happens
    q1: Discussion
    q2: Discussion


def tell_story() -> Story:
    """Days 0 to 5 of three communities, through the services (see each step's comment for what it changes)."""
    unit_a, unit_b, unit_c = OrgUnitFactory(name="A"), OrgUnitFactory(name="B"), OrgUnitFactory(name="C")
    cora = UserFactory(full_name="Cora Coordinator", org_unit=unit_a)
    ann = UserFactory(full_name="Ann Active", org_unit=unit_b)
    ben = UserFactory(full_name="Ben Core", org_unit=unit_b)
    eve = UserFactory(full_name="Eve Edge", org_unit=None)
    dan = UserFactory(full_name="Dan Late", org_unit=unit_c)
    staff = UserFactory(full_name="Sam Staff", is_staff=True)
    zone = settings.TIME_ZONE

    with clock(day(0), 8):
        quiet = CommunityFactory(name="Quiet", slug="quiet")
        lab = community_services.community_propose(proposer=cora, name="Lab", domain="Trying things out.")
    with clock(day(0), 9):
        guild = community_services.community_propose(
            proposer=cora, name="Guild", domain="Running things well."
        )
    with clock(day(0), 10):
        community_services.membership_join(user=ann, community=guild)
    with clock(day(0), 11):
        community_services.membership_join(user=ben, community=guild, level="occasional")
    with clock(day(0), 12):
        community_services.membership_join(user=eve, community=guild, level="transactional")

    with clock(day(1), 9):  # Ann raises her own level: a promotion
        community_services.membership_change_level(
            actor=ann, membership=membership(guild, ann), level="active"
        )
    with clock(day(1), 9, 30):  # the coordinator takes Ben into the core group: a promotion
        community_services.membership_change_level(
            actor=cora, membership=membership(guild, ben), level="core"
        )
    with clock(day(1), 10):  # transactional to peripheral is no promotion
        community_services.membership_change_level(
            actor=cora, membership=membership(guild, eve), level="peripheral"
        )
    with clock(day(1), 11):
        clinic = activity_services.activity_schedule(
            actor=cora,
            community=guild,
            title="Clinic",
            start_local=datetime.combine(day(2), time(14)),
            end_local=datetime.combine(day(2), time(15)),
            time_zone=zone,
        )
        dropped = activity_services.activity_schedule(
            actor=cora,
            community=guild,
            title="Dropped",
            start_local=datetime.combine(day(3), time(14)),
            end_local=datetime.combine(day(3), time(15)),
            time_zone=zone,
        )
    occurrence = clinic.occurrences.get()
    with clock(day(1), 12):  # an RSVP makes Ann active (it is not a flow of its own)
        activity_services.rsvp_set(user=ann, occurrence=occurrence, answer="going")
    with clock(day(1), 13):
        community_services.membership_change_role(
            actor=cora, membership=membership(guild, ann), role="coordinator"
        )

    with clock(day(2), 9):
        forum = community_services.community_propose(proposer=cora, name="Forum", domain="Talking it over.")
    with clock(day(2), 10):
        community_services.membership_join(user=ann, community=forum)
    with clock(day(2), 11):
        discussion_services.discussion_start(author=ann, community=forum, title="Hello", body="Who is here?")
    with clock(day(2), 12):  # a cancelled date is not held
        activity_services.occurrence_cancel(
            actor=cora, occurrence=dropped.occurrences.get(), reason="Holiday"
        )
    with clock(day(2), 15, 30):
        activity_services.attendance_record(
            actor=cora, occurrence=occurrence, attended_user_ids={ann.pk, ben.pk}
        )
    with clock(day(2), 16):
        q1 = discussion_services.discussion_start(author=ann, community=guild, title="Q1", body="How?")
    with clock(day(2), 18):  # answered two hours after it was asked
        answer = discussion_services.reply_add(author=ben, discussion=q1, body="Like this.")

    with clock(day(3), 10):
        q2 = discussion_services.discussion_start(author=cora, community=guild, title="Q2", body="Why?")
        community_services.community_archive(actor=staff, community=lab)
    with clock(day(3), 11):  # the author's own reply does not answer the question
        discussion_services.reply_add(author=cora, discussion=q2, body="Some context.")
    with clock(day(3), 12):
        discussion_services.reply_accept(actor=ann, discussion=q1, reply=answer)
    with clock(day(3), 13):
        runbook = repertoire_services.resource_create(actor=ann, community=guild, title="Runbook")

    with clock(day(4), 10):  # answered 24 hours after it was asked
        discussion_services.reply_add(author=ann, discussion=q2, body="Because.")
    with clock(day(4), 11):
        repertoire_services.resource_apply(actor=ben, resource=runbook, story="Used it on call.")
    with clock(day(4), 12):
        community_services.membership_join(user=dan, community=guild)

    with clock(day(5), 10):
        community_services.membership_leave(user=ben, membership=membership(guild, ben))

    return Story(cora, ann, ben, eve, dan, guild, forum, lab, quiet, q1, q2)


@pytest.fixture
def story() -> Story:
    return tell_story()


@pytest.fixture
def week(story) -> dict[tuple[int, date], Snapshot]:
    """Snapshots of the day before the story and its six days."""
    return by_day(compute_snapshots(first_day=day(-1), last_day=day(5)))


def test_the_first_day_counts_who_joined_by_level_and_role(story, week):
    """Day 0: Cora founded the Guild (core group, coordinator), Ann, Ben and Eve joined; only joining happened,
    so nobody is active; Eve has no org unit, Ann and Ben share one."""
    assert figures(week[(story.guild.pk, day(0))]) == expect(
        members=4,
        level_core=1,
        level_occasional=1,
        level_peripheral=1,
        level_transactional=1,
        coordinators=1,
        org_units=2,
        joined=4,
    )


def test_level_changes_promote_into_active_and_core_and_roles_change_coordinators(story, week):
    """Day 1: Ann to active and Ben to core are promotions, Eve from transactional to peripheral is not; Ann
    becomes a second coordinator; her RSVP makes her active."""
    assert figures(week[(story.guild.pk, day(1))]) == expect(
        members=4,
        level_core=2,
        level_active=1,
        level_peripheral=1,
        coordinators=2,
        active_members=1,
        org_units=2,
        promoted=2,
    )


def test_activities_attendance_discussions_and_replies_of_a_day(story, week):
    """Day 2: the clinic was held (the cancelled date of day 3 never counts), Ann and Ben attended, Ann asked
    Q1 and Ben answered two hours later: one discussion in the window, answered, not yet solved."""
    assert figures(week[(story.guild.pk, day(2))]) == expect(
        members=4,
        level_core=2,
        level_active=1,
        level_peripheral=1,
        coordinators=2,
        active_members=2,
        org_units=2,
        activities_held=1,
        attendance=2,
        discussions=1,
        replies=1,
        recent_discussions=1,
        answered_share=100.0,
        solved_share=0.0,
        median_first_reply_hours=2.0,
    )
    assert figures(week[(story.guild.pk, day(3))])["activities_held"] == 0


def test_an_authors_own_reply_does_not_answer_and_accepting_solves(story, week):
    """Day 3: Cora asked Q2 and replied to herself (a reply, not an answer); Q1's answer was accepted; Ann added
    a resource. Two discussions: one answered (50%), one solved (50%), median first reply still 2 hours."""
    assert figures(week[(story.guild.pk, day(3))]) == expect(
        members=4,
        level_core=2,
        level_active=1,
        level_peripheral=1,
        coordinators=2,
        active_members=3,
        org_units=2,
        discussions=1,
        replies=1,
        resources_added=1,
        recent_discussions=2,
        answered_share=50.0,
        solved_share=50.0,
        median_first_reply_hours=2.0,
    )


def test_applied_stories_late_answers_and_a_new_org_unit(story, week):
    """Day 4: Ann answered Q2 after 24 hours (median of 2 and 24 is 13), Ben applied the runbook, Dan joined
    from a third org unit (joining alone does not make him active)."""
    assert figures(week[(story.guild.pk, day(4))]) == expect(
        members=5,
        level_core=2,
        level_active=1,
        level_peripheral=2,
        coordinators=2,
        active_members=3,
        org_units=3,
        joined=1,
        replies=1,
        applied=1,
        recent_discussions=2,
        answered_share=100.0,
        solved_share=50.0,
        median_first_reply_hours=13.0,
    )


def test_a_member_who_left_is_no_longer_counted_even_if_recently_active(story, week):
    """Day 5: Ben left: one fewer member in the core group, and no longer active although his ledger rows are
    recent; his org unit is still reached through Ann."""
    assert figures(week[(story.guild.pk, day(5))]) == expect(
        members=4,
        level_core=1,
        level_active=1,
        level_peripheral=2,
        coordinators=2,
        active_members=2,
        org_units=3,
        left=1,
        recent_discussions=2,
        answered_share=100.0,
        solved_share=50.0,
        median_first_reply_hours=13.0,
    )


def test_no_snapshot_before_a_community_was_founded(story, week):
    """The Forum was founded on day 2: no snapshots for the days before; the Guild had none the day before it."""
    assert (story.guild.pk, day(-1)) not in week
    assert [d for (pk, d) in week if pk == story.forum.pk] == [day(n) for n in range(2, 6)]


def test_a_member_of_two_communities_counts_in_each_with_her_own_ledger_there(story, week):
    """Ann is a member of the Guild and the Forum and counts in both; Cora founded the Forum but did nothing
    there, so she is active in the Guild only."""
    assert figures(week[(story.forum.pk, day(2))]) == expect(
        members=2,
        level_core=1,
        level_peripheral=1,
        coordinators=1,
        active_members=1,
        org_units=2,
        joined=2,
        discussions=1,
        recent_discussions=1,
        answered_share=0.0,
        solved_share=0.0,
    )
    guild = week[(story.guild.pk, day(3))]
    assert guild.active_members == 3  # Cora, Ann, Ben


def test_an_archived_community_has_snapshots_up_to_the_day_it_was_archived(story, week):
    """The Lab was archived on day 3 (10:00): that day still has a snapshot, the days after have none."""
    assert [d for (pk, d) in week if pk == story.lab.pk] == [day(n) for n in range(0, 4)]
    assert figures(week[(story.lab.pk, day(3))]) == expect(
        members=1, level_core=1, coordinators=1, org_units=1
    )


def test_a_community_without_members_or_activity_has_zeros_and_no_shares(story, week):
    for n in range(0, 6):
        assert figures(week[(story.quiet.pk, day(n))]) == expect()


def test_members_stay_active_for_30_days_after_their_last_ledger_row(story):
    """Cora's last row is on day 3, Ann's on day 4 (Ben left): each is active through the 29th day after."""
    snapshots = by_day(compute_snapshots(first_day=day(32), last_day=day(35), community_ids=[story.guild.pk]))
    active = {n: snapshots[(story.guild.pk, day(n))].active_members for n in range(32, 36)}
    assert active == {32: 2, 33: 1, 34: 0, 35: 0}


def test_the_answered_and_solved_shares_cover_discussions_of_the_last_90_days(story):
    """Q1 (day 2) leaves the window after day 91, Q2 (day 3) after day 92; flows of those days are zero."""
    snapshots = by_day(compute_snapshots(first_day=day(91), last_day=day(93), community_ids=[story.guild.pk]))
    shares = {
        (d - D0).days: (s.recent_discussions, s.answered_share, s.solved_share, s.median_first_reply_hours)
        for (_pk, d), s in snapshots.items()
    }
    assert shares == {91: (2, 100.0, 50.0, 13.0), 92: (1, 100.0, 0.0, 24.0), 93: (0, None, None, None)}


def test_compute_snapshots_limits_itself_to_the_communities_asked_for(story):
    snapshots = compute_snapshots(first_day=day(0), last_day=day(2), community_ids=[story.forum.pk])
    assert {(s.community_id, s.day) for s in snapshots} == {(story.forum.pk, day(2))}
    assert compute_snapshots(first_day=day(0), last_day=day(2), community_ids=[]) == []


def test_a_hidden_discussion_no_longer_counts_in_the_shares(story):
    Discussion.objects.filter(pk=story.q2.pk).update(hidden_at=local(day(4), 9))
    snapshot = compute_snapshots(first_day=day(4), last_day=day(4), community_ids=[story.guild.pk])[0]
    assert (snapshot.recent_discussions, snapshot.answered_share, snapshot.solved_share) == (1, 100.0, 100.0)


def test_stored_snapshots_are_one_row_per_community_and_day_and_storing_again_overwrites(story):
    stored = snapshots_rebuild(first_day=day(0), last_day=day(5))
    assert stored == Snapshot.objects.count() == 6 + 6 + 4 + 4  # Guild, Quiet, Forum, Lab
    first = {(s.community_id, s.day): (s.pk, figures(s)) for s in Snapshot.objects.all()}
    Snapshot.objects.filter(community=story.guild, day=day(2)).update(members=99, answered_share=None)
    assert snapshots_rebuild(first_day=day(0), last_day=day(5)) == 20
    again = {(s.community_id, s.day): (s.pk, figures(s)) for s in Snapshot.objects.all()}
    assert again == first


def test_storing_nothing_is_fine():
    assert snapshots_store([]) == 0


# --- The daily task: yesterday, and the days it missed ---------------------------------------------------


def stored_days() -> dict[date, int]:
    days: dict[date, int] = {}
    for snapshot_day in Snapshot.objects.values_list("day", flat=True):
        days[snapshot_day] = days.get(snapshot_day, 0) + 1
    return dict(sorted(days.items()))


def test_the_daily_task_takes_yesterday_in_the_organizations_time_zone(story):
    """Run just after midnight of day 3, it snapshots day 2: the Guild, the Forum, the Lab and Quiet."""
    with clock(day(3), 0, 20):
        assert local_today() == day(3)
        assert take_daily_snapshots() == 4
    assert stored_days() == {day(2): 4}
    assert figures(Snapshot.objects.get(community=story.guild, day=day(2)))["attendance"] == 2


def test_running_the_daily_task_again_the_same_day_stores_the_same_rows(story):
    with clock(day(3), 0, 20):
        take_daily_snapshots()
    first = {(s.community_id, s.day): (s.pk, figures(s)) for s in Snapshot.objects.all()}
    with clock(day(3), 1, 20):
        assert take_daily_snapshots() == 4
    assert {(s.community_id, s.day): (s.pk, figures(s)) for s in Snapshot.objects.all()} == first


def test_the_daily_task_catches_up_the_days_it_missed(story):
    """Taken for day 2; the worker was away on days 4 and 5: the run of day 6 fills days 3, 4 and 5 (the Lab,
    archived on day 3, only for that day)."""
    take_daily_snapshots(today=day(3).isoformat())
    assert take_daily_snapshots(today=day(6).isoformat()) == 3 + 3 + 3 + 1
    assert stored_days() == {day(2): 4, day(3): 4, day(4): 3, day(5): 3}


def test_the_daily_task_catches_up_at_most_a_week(story):
    """After a long outage the run fills only the last CATCH_UP_DAYS days; older gaps need the rebuild."""
    take_daily_snapshots(today=day(3).isoformat())
    take_daily_snapshots(today=day(30).isoformat())
    assert list(stored_days()) == [day(2)] + [day(n) for n in range(30 - CATCH_UP_DAYS, 30)]


def test_the_first_run_ever_takes_only_yesterday(story):
    assert snapshots_take_daily(today=day(10)) == 3
    assert list(stored_days()) == [day(9)]


# --- Local days and summer time --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change", [date(2026, 3, 29), date(2026, 10, 25)], ids=["spring-forward", "fall-back"]
)
def test_days_are_local_days_across_the_change_of_clocks(settings, change):
    """In Berlin the day of the change has 23 or 25 hours. A discussion at 23:30 and an activity at 00:30 fall
    on that local day, a reply at 00:30 the next night on the next one, whatever their UTC dates."""
    settings.TIME_ZONE = "Europe/Berlin"
    berlin, utc = ZoneInfo("Europe/Berlin"), ZoneInfo("UTC")
    cora, ann = UserFactory(), UserFactory()
    before, after = change - timedelta(days=1), change + timedelta(days=1)
    with clock(change - timedelta(days=2), 9):
        guild = community_services.community_propose(
            proposer=cora, name="Guild", domain="Running things well."
        )
        community_services.membership_join(user=ann, community=guild)
        activity_services.activity_schedule(
            actor=cora,
            community=guild,
            title="Night shift",
            start_local=datetime.combine(change, time(0, 30)),
            end_local=datetime.combine(change, time(1, 30)),
            time_zone="Europe/Berlin",
        )
    with clock(change, 23, 30) as asked:
        question = discussion_services.discussion_start(author=ann, community=guild, title="Late", body="?")
    with clock(after, 0, 30) as answered:
        discussion_services.reply_add(author=cora, discussion=question, body="!")
    occurrence_start = Occurrence.objects.get().start
    # The UTC dates differ from the local ones: a UTC day would put all three on other days.
    assert occurrence_start.astimezone(utc).date() == before
    assert answered.astimezone(utc).date() == change
    length = day_start(after).astimezone(utc) - day_start(change).astimezone(utc)
    assert length.total_seconds() / 3600 == (23 if change.month == 3 else 25)
    assert day_start(change).tzinfo == berlin

    snapshots = by_day(compute_snapshots(first_day=before, last_day=after))
    flows = {
        d: (s.activities_held, s.discussions, s.replies, s.answered_share, s.median_first_reply_hours)
        for (_pk, d), s in snapshots.items()
    }
    hours = round((answered.astimezone(utc) - asked.astimezone(utc)).total_seconds() / 3600, 1)
    assert hours == 1.0  # one real hour, though the wall clock says 23:30 to 00:30
    assert flows == {
        before: (0, 0, 0, None, None),
        change: (1, 1, 0, 0.0, None),
        after: (0, 0, 1, 100.0, 1.0),
    }


def test_the_daily_task_just_after_local_midnight_snapshots_the_local_yesterday(settings, story):
    """In Berlin, 00:20 on day 3 is still day 2 in UTC: the task must take day 2, not day 1."""
    settings.TIME_ZONE = "Europe/Berlin"
    with clock(day(3), 0, 20) as moment:
        assert moment.astimezone(ZoneInfo("UTC")).date() == day(2)
        take_daily_snapshots()
    assert list(stored_days()) == [day(2)]


# --- The replay agrees with the live figures --------------------------------------------------------------


def test_the_replayed_snapshot_of_today_equals_the_live_member_figures(story):
    """After every kind of membership change the services make (join, approve, invitation accepted, an
    invitation by email, levels, roles, leaving, removal, deactivation, staff appointing a newcomer and a
    former member, rejoining), the history they recorded replays to exactly the members, levels, coordinators,
    active members and org units the memberships show now."""
    staff = UserFactory(is_staff=True)
    people = {name: UserFactory(full_name=name, org_unit=OrgUnitFactory()) for name in "FGHIJKLMN"}
    guild, cora = story.guild, story.cora
    with clock(day(6), 9):
        guild.join_policy = Community.JoinPolicy.APPROVAL
        guild.save(update_fields=["join_policy"])
        request = community_services.membership_request(user=people["F"], community=guild, level="active")
        community_services.membership_request(user=people["G"], community=guild)
    with clock(day(6), 10):
        community_services.membership_decide(actor=cora, membership=request, approve=True)
        community_services.membership_decide(
            actor=cora, membership=membership(guild, people["G"]), approve=False
        )
        invited = community_services.membership_invite(
            actor=cora, community=guild, user=people["H"], level="occasional"
        )
        community_services.membership_invite(actor=cora, community=guild, user=people["I"])
    with clock(day(6), 11):
        community_services.invitation_respond(user=people["H"], membership=invited, accept=True)
        community_services.invitation_respond(
            user=people["I"], membership=membership(guild, people["I"]), accept=False
        )
        by_email = community_services.email_invitation_create(
            actor=cora, community=guild, email="newcomer@example.org", level="active"
        )
    with clock(day(6), 12):
        newcomer = UserFactory(email="newcomer@example.org", org_unit=people["F"].org_unit)
        community_services.email_invitation_accept(user=newcomer, invitation=by_email)
        guild.join_policy = Community.JoinPolicy.OPEN
        guild.save(update_fields=["join_policy"])
        for name in "JKLM":
            community_services.membership_join(user=people[name], community=guild)
    with clock(day(7), 9):
        community_services.membership_change_level(
            actor=cora, membership=membership(guild, people["J"]), level="core"
        )
        community_services.membership_change_role(
            actor=cora, membership=membership(guild, people["J"]), role="coordinator"
        )
        community_services.membership_change_role(
            actor=cora, membership=membership(guild, story.ann), role="member"
        )
        community_services.membership_remove(
            actor=cora, membership=membership(guild, people["K"]), reason="Spam"
        )
    with clock(day(7), 10):
        community_services.member_deactivate(actor=staff, user=people["L"])
        community_services.membership_leave(user=people["M"], membership=membership(guild, people["M"]))
    with clock(day(7), 11):  # Ben, who left on day 5, comes back at another level
        community_services.membership_join(user=story.ben, community=guild, level="active")
        # Staff appoint a coordinator who was not a member (the service makes them one, in the core group).
        community_services.coordinator_appoint(actor=staff, community=guild, user=people["N"])
        # ... and one who left this morning (their old membership row comes back to life).
        community_services.coordinator_appoint(actor=staff, community=guild, user=people["M"])
    with clock(day(7), 12):
        discussion_services.discussion_start(author=people["F"], community=guild, title="Hi", body="Hello")
        discussion_services.reply_add(author=people["H"], discussion=story.q1, body="Me too")

    with clock(day(7), 22) as now:
        ids = list(Community.objects.filter(archived_at__isnull=True).values_list("pk", flat=True))
        replayed = {s.community_id: s for s in compute_snapshots(first_day=day(7), last_day=day(7))}
        live = member_figures(ids, now=now)
    assert set(replayed) == set(ids)
    for pk in ids:
        snapshot, figure = replayed[pk], live[pk]
        assert {
            "members": snapshot.members,
            "levels": {level: getattr(snapshot, f"level_{level}") for level in figure.levels},
            "coordinators": snapshot.coordinators,
            "active_members": snapshot.active_members,
            "org_units": snapshot.org_units,
        } == {
            "members": figure.members,
            "levels": figure.levels,
            "coordinators": figure.coordinators,
            "active_members": figure.active_members,
            "org_units": figure.org_units,
        }, Community.objects.get(pk=pk).name
    # The Guild really went through all of that: a sanity check on the story, by hand.
    guild_now = replayed[guild.pk]
    assert (guild_now.members, guild_now.coordinators, guild_now.joined, guild_now.left) == (11, 4, 3, 3)
    assert Participation.objects.filter(community=guild, at__gte=day_start(day(7))).exists()


# --- Seeded data ------------------------------------------------------------------------------------------


def test_the_benchmark_seed_ends_with_recent_snapshots_of_every_bench_community():
    """seed_scaled (the query-count tests' data) snapshots the last five weeks of every bench community from the
    history it seeded: yesterday's members by level and role equal the memberships."""
    counts = seed_scaled(1)
    bench = list(Community.objects.filter(slug__startswith="bench-").values_list("pk", flat=True))
    yesterday = local_today() - timedelta(days=1)
    assert counts["snapshots"] == len(bench) * SMALL_SCALE_SNAPSHOT_DAYS == Snapshot.objects.count()
    assert sorted(stored_days()) == [yesterday - timedelta(days=n) for n in reversed(range(35))]
    assert counts["value stories"] == 2 * len(bench) == ValueStory.objects.count()
    live = member_figures(bench)
    for snapshot in Snapshot.objects.filter(day=yesterday):
        figure = live[snapshot.community_id]
        assert (snapshot.members, snapshot.coordinators, snapshot.org_units) == (
            figure.members,
            figure.coordinators,
            figure.org_units,
        )
        assert {level: getattr(snapshot, f"level_{level}") for level in figure.levels} == figure.levels


def test_a_large_benchmark_seed_gets_a_year_of_snapshots():
    CommunityFactory(slug="bench-0")
    with mock.patch("copsite.demo.insights.snapshots_rebuild", return_value=0) as rebuild:
        seed_scaled_snapshots(FULL_YEAR_FROM_SCALE)
        seed_scaled_snapshots(FULL_YEAR_FROM_SCALE - 1)
    yesterday = local_today() - timedelta(days=1)
    assert [(call.kwargs["first_day"], call.kwargs["last_day"]) for call in rebuild.call_args_list] == [
        (yesterday - timedelta(days=364), yesterday),
        (yesterday - timedelta(days=34), yesterday),
    ]

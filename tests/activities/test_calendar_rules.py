"""The calendar's rules (activities/calendar/rules.py) for every kind of person, written out as tables, and the
services refusing with `NotPermitted` exactly where a rule says no (and acting where it says yes)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.calendar import rules, services
from activities.models import Activity, Rsvp
from communities.access import access_for
from core.rules import NotPermitted
from tests import rules_tables
from tests.activities.test_schedule import first, local, schedule
from tests.factories import (
    CommunityFactory,
    UserFactory,
    coordinator_of,
    member_of,
)

pytestmark = pytest.mark.django_db

ROLES = ["outsider", "former", "peripheral", "core", "coordinator", "sponsor", "staff"]

# Rows: the rules; columns: who the person is to the community. A coordinator here is at the active level, so the
# role alone is what lets them schedule; a sponsor is not a member; a former member left.
CURRENT = """
                       outsider former peripheral core coordinator sponsor staff
may_schedule           no       no     no         yes  yes         no      no
may_answer             no       no     yes        yes  yes         no      no
may_record_attendance  no       no     no         yes  yes         no      no
may_write_notes        no       no     no         yes  yes         no      no
"""

# An archived community's calendar no longer changes, whoever asks.
ARCHIVED = """
                       outsider former peripheral core coordinator sponsor staff
may_schedule           no       no     no         no   no          no      no
may_answer             no       no     no         no   no          no      no
may_record_attendance  no       no     no         no   no          no      no
may_write_notes        no       no     no         no   no          no      no
"""


def table(text: str) -> dict[tuple[str, str], bool]:
    return rules_tables.table(text, ROLES)


person = rules_tables.person


def community_of(kind: str):
    return CommunityFactory(archived_at=timezone.now() if kind == "archived" else None)


TABLES = {"current": table(CURRENT), "archived": table(ARCHIVED)}
PREDICATES = sorted({rule for rule, _ in TABLES["current"]})


@pytest.mark.parametrize("kind", ["current", "archived"])
@pytest.mark.parametrize("role", ROLES)
def test_every_rule_for_every_person(kind, role):
    community = community_of(kind)
    access = access_for(person(role, community), community)
    answers = {rule: getattr(rules, rule)(access) for rule in PREDICATES}
    assert answers == {rule: TABLES[kind][(rule, role)] for rule in PREDICATES}


def test_the_rules_read_only_what_the_access_holds(django_assert_num_queries):
    community = CommunityFactory()
    access = access_for(member_of(community, "core"), community)
    with django_assert_num_queries(0):
        for rule in PREDICATES:
            getattr(rules, rule)(access)
        rules.schedule_refusal(access)
        rules.answer_refusal(access)


def test_each_refusal_says_why():
    current, archived = CommunityFactory(name="Kaizen Circle"), community_of("archived")
    outsider = access_for(UserFactory(), current)
    assert rules.schedule_refusal(outsider) == rules.SCHEDULERS_ONLY
    assert rules.answer_refusal(outsider) == "Join Kaizen Circle to answer for its activities."
    member = access_for(member_of(archived), archived)
    expected = f"{archived.name} is archived: its calendar no longer changes."
    assert rules.schedule_refusal(member) == rules.answer_refusal(member) == expected


def test_a_date_has_started_and_is_over_at_its_start_and_end():
    occurrence = first(schedule(CommunityFactory()))
    assert not rules.has_started(occurrence) and not rules.is_over(occurrence)
    assert rules.has_started(occurrence, occurrence.start) and not rules.is_over(occurrence, occurrence.start)
    assert not rules.has_started(occurrence, occurrence.start - timedelta(seconds=1))
    assert rules.is_over(occurrence, occurrence.end)


# --- The services enforce the same rules ------------------------------------------------------------------------


def _schedule_as(actor, community) -> Activity:
    start = local(7)
    return services.activity_schedule(
        actor=actor,
        community=community,
        title="Incident review",
        start_local=start,
        end_local=start + timedelta(hours=1),
        time_zone="Europe/Berlin",
    )


@pytest.mark.parametrize("kind", ["current", "archived"])
@pytest.mark.parametrize("role", ROLES)
def test_scheduling_is_refused_exactly_where_may_schedule_says_no(kind, role):
    community = community_of(kind)
    actor = person(role, community)
    if TABLES[kind][("may_schedule", role)]:
        assert _schedule_as(actor, community).community == community
    else:
        with pytest.raises(NotPermitted) as refused:
            _schedule_as(actor, community)
        assert refused.value.messages == [rules.schedule_refusal(access_for(actor, community))]
        assert not Activity.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_answering_is_refused_exactly_where_may_answer_says_no(role):
    community = CommunityFactory()
    occurrence = first(schedule(community))
    user = person(role, community)
    if TABLES["current"][("may_answer", role)]:
        assert services.rsvp_set(user=user, occurrence=occurrence, answer="going").answer == "going"
    else:
        with pytest.raises(NotPermitted, match="Join"):
            services.rsvp_set(user=user, occurrence=occurrence, answer="going")
        assert not Rsvp.objects.filter(user=user).exists()


def test_answering_in_an_archived_community_is_refused():
    community = CommunityFactory()
    occurrence = first(schedule(community))
    member = member_of(community)
    community.archived_at = timezone.now()
    community.save()
    with pytest.raises(NotPermitted, match="is archived"):
        services.rsvp_set(user=member, occurrence=occurrence, answer="going")


def test_attendance_and_notes_follow_their_rules():
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator, days=-1, past_confirmed=True))
    peripheral, core, sponsor = (
        member_of(community),
        member_of(community, "core"),
        person("sponsor", community),
    )
    with pytest.raises(NotPermitted):
        services.attendance_record(actor=peripheral, occurrence=occurrence, attended_user_ids={peripheral.pk})
    assert (
        services.attendance_record(actor=core, occurrence=occurrence, attended_user_ids={peripheral.pk}) == 1
    )
    with pytest.raises(NotPermitted):
        services.occurrence_notes_save(actor=sponsor, occurrence=occurrence, notes="Sponsored notes")
    services.occurrence_notes_save(actor=coordinator, occurrence=occurrence, notes="We decided.")
    occurrence.refresh_from_db()
    assert occurrence.notes == "We decided."


def test_changing_a_date_is_refused_to_staff_who_do_not_schedule():
    community = CommunityFactory()
    occurrence = first(schedule(community))
    with pytest.raises(NotPermitted, match="Only coordinators and core group members"):
        services.occurrence_cancel(actor=person("staff", community), occurrence=occurrence, reason="No room")
    occurrence.refresh_from_db()
    assert not occurrence.cancelled


def test_the_403_page_says_what_the_service_says(client):
    archived = community_of("archived")
    client.force_login(coordinator_of(archived))
    response = client.get(reverse("activities:schedule", args=[archived.slug]))
    assert response.status_code == 403
    assert f"{archived.name} is archived: its calendar no longer changes." in response.text

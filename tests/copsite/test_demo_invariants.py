"""The small demo is what people would have made through the site: every membership has its history and its
ledger row, every RSVP and attendance its ledger row, every post an author who was a member (issue 15).

Made through the services (with `at=` to back-date), the demo cannot drift from what the services write.
"""

import pytest
from django.core.management import call_command
from django.db.models import Q

from activities.models import Discussion, Reply, Rsvp
from communities.models import Membership, MembershipEvent, Participation
from repertoire.models import Application, Resource

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

JOINING = [
    MembershipEvent.Kind.JOINED,
    MembershipEvent.Kind.APPROVED,
    MembershipEvent.Kind.INVITATION_ACCEPTED,
]


def ledger(kind: str) -> set[tuple[int, int, str]]:
    return set(Participation.objects.filter(kind=kind).values_list("community_id", "user_id", "source"))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            call_command("seed_demo", verbosity=0)
            yield
            transaction.set_rollback(True)


def test_every_membership_that_joined_has_its_history_event_and_ledger_row(demo):
    joined = Membership.objects.exclude(joined_at=None)
    assert joined.count() > 100
    events = set(MembershipEvent.objects.filter(kind__in=JOINING).values_list("community_id", "user_id"))
    rows = {(c, u) for c, u, _ in ledger(Participation.Kind.JOINED)}
    missing = [(m.community_id, m.user_id) for m in joined if (m.community_id, m.user_id) not in events]
    assert not missing, f"{len(missing)} memberships without a joining event"
    missing = [(m.community_id, m.user_id) for m in joined if (m.community_id, m.user_id) not in rows]
    assert not missing, f"{len(missing)} memberships without a ledger row"


def test_every_rsvp_and_attendance_has_its_ledger_row(demo):
    answered = ledger(Participation.Kind.RSVP)
    attended = ledger(Participation.Kind.ATTENDED)
    rsvps = Rsvp.objects.select_related("occurrence__activity")
    assert rsvps.count() > 20 and rsvps.filter(attended=True).exists()
    missing = [
        r.pk
        for r in rsvps
        if (r.occurrence.activity.community_id, r.user_id, f"occurrence:{r.occurrence_id}") not in answered
    ]
    assert not missing, f"{len(missing)} RSVPs without a ledger row"
    missing = [
        r.pk
        for r in rsvps.filter(attended=True)
        if (r.occurrence.activity.community_id, r.user_id, f"occurrence:{r.occurrence_id}") not in attended
    ]
    assert not missing, f"{len(missing)} attendances without a ledger row"


def test_every_post_resource_and_story_has_an_author_who_was_a_member_and_its_ledger_row(demo):
    members = set(Membership.objects.exclude(joined_at=None).values_list("community_id", "user_id"))
    posted, replied = ledger(Participation.Kind.POSTED), ledger(Participation.Kind.REPLIED)
    for discussion in Discussion.objects.exclude(author=None):
        assert (discussion.community_id, discussion.author_id) in members, discussion
        assert (discussion.community_id, discussion.author_id, f"discussion:{discussion.pk}") in posted, (
            discussion
        )
    for reply in Reply.objects.exclude(author=None).select_related("discussion"):
        assert (reply.discussion.community_id, reply.author_id) in members, reply
        assert (reply.discussion.community_id, reply.author_id, f"reply:{reply.pk}") in replied, reply
    for story in Application.objects.select_related("resource"):
        assert (story.resource.community_id, story.user_id) in members, story
    added = ledger(Participation.Kind.RESOURCE_ADDED)
    for resource in Resource.objects.filter(~Q(status="draft")).prefetch_related("authors"):
        assert (resource.community_id, resource.created_by_id, f"resource:{resource.pk}") in added, resource


def test_each_community_discusses_its_own_domain(demo):
    """A title belongs to one community: "What to do when a model drifts in production?" appeared in unrelated
    communities."""
    titles = Discussion.objects.values_list("title", "community_id")
    by_title: dict[str, set[int]] = {}
    for title, community in titles:
        by_title.setdefault(title, set()).add(community)
    shared = {title: len(communities) for title, communities in by_title.items() if len(communities) > 1}
    assert not shared, shared

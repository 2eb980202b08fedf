"""insights.rules: every predicate for every role, written out as a table, and the service that enforces them
(`value_story_record` refuses with `NotPermitted` where `may_record_story` says no, and records where it says yes).

The predicates are pure: the table builds each `CommunityAccess` from unsaved rows, without a database.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from communities.access import CommunityAccess
from communities.models import Community, Level, Membership
from core.rules import NotPermitted
from insights import rules
from insights.access import get_health_access
from insights.models import ValueStory
from insights.services import value_story_record
from insights.snapshots import local_today
from members.models import User
from tests.factories import CommunityFactory, MembershipFactory, SponsorshipFactory, UserFactory

ROLES = ("outsider", "former", "peripheral", "core", "coordinator", "sponsor", "staff")

# Each predicate's answer per role (columns) in a listed and in an archived community (rows): Y yes, - no.
TABLE = {
    "may_read_health": """
             outsider former peripheral core coordinator sponsor staff
    listed   -        -      -          Y    Y           Y       Y
    archived -        -      -          Y    Y           Y       Y
    """,
    "records_stories": """
             outsider former peripheral core coordinator sponsor staff
    listed   -        -      -          -    Y           Y       Y
    archived -        -      -          -    Y           Y       Y
    """,
    "may_record_story": """
             outsider former peripheral core coordinator sponsor staff
    listed   -        -      -          -    Y           Y       Y
    archived -        -      -          -    -           -       -
    """,
    "may_preview_mail": """
             outsider former peripheral core coordinator sponsor staff
    listed   -        -      -          -    -           -       Y
    archived -        -      -          -    -           -       Y
    """,
}

# Why `may_record_story` says no, per role, where it does (the same words on the 403 page and from the service).
ONLY = rules.STORY_RECORDERS_ONLY
ARCHIVED = "Guild is archived: its value stories are kept for reference and no new ones are recorded."
STORY_REFUSALS = {
    "listed": {"outsider": ONLY, "former": ONLY, "peripheral": ONLY, "core": ONLY},
    "archived": {
        role: ONLY if role in ("outsider", "former", "peripheral", "core") else ARCHIVED for role in ROLES
    },
}


def access(role: str, kind: str) -> CommunityAccess:
    """Who `role` is to a community of `kind` (listed or archived), from unsaved rows."""
    community = Community(
        name="Guild", slug="guild", archived_at=timezone.now() if kind == "archived" else None
    )
    viewer = User(email=f"{role}@example.org", is_staff=role == "staff")
    membership = {
        "former": Membership(
            status=Membership.Status.LEFT, level=Level.CORE, role=Membership.Role.COORDINATOR
        ),
        "peripheral": Membership(status=Membership.Status.ACTIVE, level=Level.PERIPHERAL),
        "core": Membership(status=Membership.Status.ACTIVE, level=Level.CORE),
        "coordinator": Membership(
            status=Membership.Status.ACTIVE, level=Level.ACTIVE, role=Membership.Role.COORDINATOR
        ),
    }.get(role)
    return CommunityAccess(
        community=community, viewer=viewer, membership=membership, is_sponsor=role == "sponsor"
    )


def answer(predicate: str, found: CommunityAccess) -> bool:
    if predicate == "may_preview_mail":
        return rules.may_preview_mail(found.viewer)
    return getattr(rules, predicate)(found)


def cases() -> list[tuple[str, str, str, bool]]:
    found = []
    for predicate, grid in TABLE.items():
        header, *rows = [line.split() for line in grid.strip().splitlines()]
        assert tuple(header) == ROLES
        for kind, *answers in rows:
            found += [(predicate, kind, role, said == "Y") for role, said in zip(ROLES, answers, strict=True)]
    return found


CASES = cases()


def test_the_table_covers_every_predicate():
    predicates = {name for name in dir(rules) if name.startswith(("may_", "records_"))}
    assert predicates == set(TABLE)


@pytest.mark.parametrize(("predicate", "kind", "role", "expected"), CASES)
def test_each_predicate_for_each_role(predicate, kind, role, expected):
    """No database here: a predicate that ran a query would fail."""
    assert answer(predicate, access(role, kind)) is expected


@pytest.mark.parametrize("kind", ["listed", "archived"])
@pytest.mark.parametrize("role", ROLES)
def test_the_story_refusal_says_who_records_first_then_the_archive(kind, role):
    found = access(role, kind)
    if rules.may_record_story(found):
        assert role not in STORY_REFUSALS[kind]
    else:
        assert rules.story_refusal(found) == STORY_REFUSALS[kind][role]


# --- The service enforces the same rule; the access helper answers 403 by it --------------------------------------

FIELDS = {"cycle": "realized", "title": "A result", "story": "It happened.", "evidence": ""}


@pytest.fixture
def world():
    guild = CommunityFactory(name="Guild", slug="guild")
    people = {"outsider": UserFactory(), "staff": UserFactory(is_staff=True)}
    people["former"] = MembershipFactory(community=guild, status=Membership.Status.LEFT).user
    people["peripheral"] = MembershipFactory(community=guild, level=Level.PERIPHERAL).user
    people["core"] = MembershipFactory(community=guild, level=Level.CORE).user
    people["coordinator"] = MembershipFactory(community=guild, role=Membership.Role.COORDINATOR).user
    people["sponsor"] = SponsorshipFactory(community=guild).sponsor
    return guild, people


def record(actor: User, community: Community) -> ValueStory:
    return value_story_record(
        actor=actor, community=community, happened_on=local_today() - timedelta(days=1), **FIELDS
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["outsider", "former", "peripheral", "core"])
def test_the_service_refuses_who_does_not_record(world, role):
    guild, people = world
    with pytest.raises(NotPermitted, match=rules.STORY_RECORDERS_ONLY):
        record(people[role], guild)
    assert not ValueStory.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "sponsor", "staff"])
def test_the_service_records_for_who_may(world, role):
    guild, people = world
    story = record(people[role], guild)
    assert (story.community, story.recorded_by) == (guild, people[role])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "sponsor", "staff"])
def test_the_service_refuses_an_archived_community_with_its_words(world, role):
    guild, people = world
    guild.archived_at = timezone.now()
    guild.save()
    with pytest.raises(NotPermitted) as refused:
        record(people[role], guild)
    assert refused.value.messages == [ARCHIVED]
    assert not ValueStory.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "reads", "records"),
    [
        ("peripheral", False, False),
        ("core", True, False),
        ("coordinator", True, True),
        ("sponsor", True, True),
        ("staff", True, True),
    ],
)
def test_the_access_helper_answers_403_by_the_same_rules(world, role, reads, records):
    guild, people = world
    for record_too, allowed in ((False, reads), (True, reads and records)):
        if allowed:
            assert get_health_access(people[role], guild.slug, record=record_too).community == guild
        else:
            with pytest.raises(PermissionDenied):
                get_health_access(people[role], guild.slug, record=record_too)

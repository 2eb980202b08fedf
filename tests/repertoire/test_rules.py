"""The library's rules (`repertoire.rules`) as a table: every predicate for every role, in a listed, a private
and an archived community; then the services, which refuse with `NotPermitted` exactly where a rule says no.

The predicates are pure, so the table builds its accesses without the database: a community, a viewer and their
membership (or none), and whether they sponsor it. "author" is a peripheral member who wrote the resource (the
selectors annotate `viewer_is_author`); the other roles did not write it.
"""

from datetime import UTC, datetime

import pytest

from activities.models import Discussion, Occurrence, Reply
from communities.access import CommunityAccess, access_for
from communities.models import Community, Membership
from core.rules import NotPermitted
from members.models import User
from repertoire import rules, services
from repertoire.models import Resource
from tests.factories import CommunityFactory, SponsorshipFactory, UserFactory, coordinator_of, member_of
from tests.repertoire.conftest import make_resource

ROLES = ["outsider", "former", "peripheral", "core", "coordinator", "sponsor", "staff", "author"]
NOW = datetime(2025, 3, 1, tzinfo=UTC)

# Rows: a predicate, about a published resource unless the row says "draft". y = allowed, . = not.
LISTED = """
                        outsider former peripheral core coordinator sponsor staff author
may_see                 y        y      y          y    y           y       y     y
may_see draft           .        .      .          .    y           .       .     y
may_add                 .        .      y          y    y           .       .     y
may_apply               .        .      y          y    y           .       .     y
may_edit                .        .      .          .    y           .       .     y
may_edit draft          .        .      .          .    y           .       .     y
may_curate              .        .      .          .    y           .       .     .
may_restore             .        .      .          .    y           .       .     .
may_restore draft       .        .      .          .    .           .       .     .
may_harvest             .        .      .          y    y           .       .     .
may_recommend           .        .      .          y    y           .       .     .
may_recommend draft     .        .      .          .    .           .       .     .
"""

PRIVATE = """
                        outsider former peripheral core coordinator sponsor staff author
may_see                 .        .      y          y    y           y       y     y
may_see draft           .        .      .          .    y           .       .     y
may_add                 .        .      y          y    y           .       .     y
may_apply               .        .      y          y    y           .       .     y
may_edit                .        .      .          .    y           .       .     y
may_curate              .        .      .          .    y           .       .     .
may_restore             .        .      .          .    y           .       .     .
may_harvest             .        .      .          y    y           .       .     .
may_recommend           .        .      .          y    y           .       .     .
"""

# Archived: read as before (coordinators still see drafts), change nothing.
ARCHIVED = """
                        outsider former peripheral core coordinator sponsor staff author
may_see                 y        y      y          y    y           y       y     y
may_see draft           .        .      .          .    y           .       .     y
may_add                 .        .      .          .    .           .       .     .
may_apply               .        .      .          .    .           .       .     .
may_edit                .        .      .          .    .           .       .     .
may_edit draft          .        .      .          .    .           .       .     .
may_curate              .        .      .          .    .           .       .     .
may_restore             .        .      .          .    .           .       .     .
may_harvest             .        .      .          .    .           .       .     .
may_recommend           .        .      .          .    .           .       .     .
"""


def community(kind: str) -> Community:
    return Community(
        name="Reliability Guild",
        slug="guild",
        visibility="private" if kind == "private" else "listed",
        archived_at=NOW if kind == "archived" else None,
    )


def access(kind: str, role: str) -> CommunityAccess:
    """Who `role` is to a community of `kind`, as `communities.access` would load it."""
    place = community(kind)
    viewer = User(email=f"{role}@example.org", is_staff=role == "staff")
    membership = None
    if role in ("former", "peripheral", "core", "coordinator", "author"):
        membership = Membership(
            community=place,
            user=viewer,
            status="left" if role == "former" else "active",
            level="core" if role == "core" else "peripheral",
            role="coordinator" if role == "coordinator" else "member",
        )
    return CommunityAccess(
        community=place, viewer=viewer, membership=membership, is_sponsor=role == "sponsor"
    )


def resource(role: str, *, draft: bool) -> Resource:
    found = Resource(title="Checklist", status="draft" if draft else "published")
    found.viewer_is_author = role == "author"
    found.viewer_applied = False
    return found


def ask(predicate: str, kind: str, role: str) -> bool:
    name, _, which = predicate.partition(" ")
    rule = getattr(rules, name)
    if name in ("may_add", "may_curate", "may_harvest"):
        return rule(access(kind, role))
    return rule(access(kind, role), resource(role, draft=which == "draft"))


def cells(table: str, kind: str):
    header, *rows = table.strip().splitlines()
    roles = header.split()
    assert roles == ROLES
    for row in rows:
        words = row.split()
        predicate = " ".join(words[: len(words) - len(roles)])
        for role, expected in zip(roles, words[-len(roles) :], strict=True):
            yield pytest.param(predicate, kind, role, expected == "y", id=f"{kind}-{predicate}-{role}")


@pytest.mark.parametrize(
    ("predicate", "kind", "role", "expected"),
    [*cells(LISTED, "listed"), *cells(PRIVATE, "private"), *cells(ARCHIVED, "archived")],
)
def test_the_rules_table(predicate, kind, role, expected):
    assert ask(predicate, kind, role) is expected


def test_every_predicate_is_in_the_table():
    named = {
        name
        for name in dir(rules)
        if name.startswith("may_") and name not in ("may_harvest_discussion", "may_harvest_occurrence")
    }
    listed = {row.split()[0] for row in LISTED.strip().splitlines()[1:]}
    assert named == listed


def test_apply_is_offered_once_per_member():
    published = resource("peripheral", draft=False)
    published.viewer_applied = True
    assert rules.may_apply(access("listed", "peripheral"), published) is False


def test_recommend_can_take_the_mark_away_from_an_archived_resource():
    archived = Resource(title="Old", status="archived", recommended_at=NOW)
    assert rules.may_recommend(access("listed", "core"), archived) is True
    archived.recommended_at = None
    assert rules.may_recommend(access("listed", "core"), archived) is False


def test_what_can_be_harvested():
    answer = Reply(pk=1, body="Timeline first.")
    solved = Discussion(title="How?", accepted_reply=answer)
    assert rules.discussion_harvestable(solved)
    assert not rules.discussion_harvestable(Discussion(title="Open"))
    answer.hidden_at = NOW
    assert not rules.discussion_harvestable(solved)
    answer.hidden_at, solved.deleted_at = None, NOW
    assert not rules.discussion_harvestable(solved)
    assert rules.occurrence_harvestable(Occurrence(notes="We learned."))
    assert not rules.occurrence_harvestable(Occurrence(notes="  \n "))
    solved.deleted_at = None
    assert rules.may_harvest_discussion(access("listed", "core"), solved)
    assert not rules.may_harvest_discussion(access("listed", "peripheral"), solved)
    assert not rules.may_harvest_occurrence(
        access("archived", "coordinator"), Occurrence(notes="We learned.")
    )


@pytest.mark.parametrize(
    ("kind", "role", "only", "said"),
    [
        (
            "archived",
            "coordinator",
            rules.CURATE,
            "Reliability Guild is archived: its library is kept for reference only.",
        ),
        (
            "listed",
            "outsider",
            rules.CURATE,
            "Join Reliability Guild to add to its library and apply what it holds.",
        ),
        ("listed", "former", "", "Join Reliability Guild to add to its library and apply what it holds."),
        ("listed", "peripheral", rules.CURATE, rules.CURATE),
        ("listed", "core", rules.EDIT, rules.EDIT),
    ],
)
def test_each_refusal_says_why(kind, role, only, said):
    assert rules.refusal(access(kind, role), only) == said


def test_the_library_offers_follow_the_rules():
    assert rules.library_offers(access("listed", "core")) == {
        "may_add": True,
        "may_curate": False,
        "may_harvest": True,
    }


# --- The services enforce the same rules -----------------------------------------------------------------------


@pytest.fixture
def people(guild):
    """One person per role in the guild (the author wrote `written`)."""
    former = member_of(guild)
    former.memberships.update(status="left")
    return {
        "outsider": UserFactory(),
        "former": former,
        "peripheral": member_of(guild, "peripheral"),
        "core": member_of(guild, "core"),
        "coordinator": coordinator_of(guild),
        "sponsor": SponsorshipFactory(community=guild).sponsor,
        "staff": UserFactory(is_staff=True),
    }


SERVICE_ROLES = ["outsider", "former", "peripheral", "core", "coordinator", "sponsor", "staff"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_adding_and_curating_refuse_where_the_rules_say_no(guild, people, role):
    actor = people[role]
    allowed = access_for(actor, guild)
    if rules.may_add(allowed):
        assert make_resource(guild, actor).pk
    else:
        with pytest.raises(NotPermitted):
            make_resource(guild, actor)
    if rules.may_curate(allowed):
        assert services.collection_create(actor=actor, community=guild, title="Start here").pk
    else:
        with pytest.raises(NotPermitted, match=r"archived|Join|coordinators"):
            services.collection_create(actor=actor, community=guild, title="Start here")


@pytest.mark.django_db
@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_editing_and_recommending_refuse_where_the_rules_say_no(guild, people, author, role):
    actor = people[role]
    written = make_resource(guild, author)
    allowed = access_for(actor, guild)
    if rules.may_edit(allowed, written):
        services.resource_update(actor=actor, resource=written, title="Edited", kind="story")
        assert Resource.objects.get(pk=written.pk).title == "Edited"
    else:
        with pytest.raises(NotPermitted):
            services.resource_update(actor=actor, resource=written, title="Edited", kind="story")
        assert Resource.objects.get(pk=written.pk).title != "Edited"
    if rules.may_recommend(allowed, written):
        assert services.resource_recommend(actor=actor, resource=written).is_recommended
    else:
        with pytest.raises(NotPermitted):
            services.resource_recommend(actor=actor, resource=written)


@pytest.mark.django_db
def test_the_author_edits_and_an_archived_community_refuses_everyone(guild, author, coordinator):
    written = make_resource(guild, author)
    services.resource_update(actor=author, resource=written, title="By its author", kind="story")
    guild.archived_at = NOW
    guild.save()
    for actor in (author, coordinator):
        with pytest.raises(NotPermitted, match="archived"):
            services.resource_update(actor=actor, resource=written, title="Later", kind="story")
    with pytest.raises(NotPermitted, match="archived"):
        services.collection_create(actor=coordinator, community=guild, title="Too late")


@pytest.mark.django_db
def test_a_private_community_answers_the_same(author):
    private = CommunityFactory(visibility="private")
    insider = member_of(private)
    assert make_resource(private, insider).pk
    with pytest.raises(NotPermitted, match="Join"):
        make_resource(private, author)

"""The discussions' rules (`activities.discussions.rules`) as tables: every predicate for every role, in an open
listed community, a private one and an archived one; then the services, which refuse with `NotPermitted` exactly
where the rule says no and act where it says yes.

Roles: outsider (signed in, no tie), former (left the community), peripheral and core (active members at that
level), coordinator, sponsor (sponsors it, not a member), staff. Objects: `own` is a post by the viewer, `other`
one by someone else; `_hidden` a post a coordinator hid; `locked` a discussion a coordinator locked.
"""

import pytest
from django.utils import timezone

from activities.discussions import rules, services
from activities.discussions.models import Discussion, Reply
from communities.access import CommunityAccess, access_for
from communities.models import Community, Level, Membership
from core.rules import NotPermitted
from members.models import User
from tests.factories import CommunityFactory, MembershipFactory, SponsorshipFactory, UserFactory, member_of

ROLES = ("outsider", "former", "peripheral", "core", "coordinator", "sponsor", "staff")

# --- The tables ------------------------------------------------------------------------------------------------

LISTED = """
                             outsider former peripheral core coordinator sponsor staff
may_follow                   yes      yes    yes        yes  yes         yes     yes
sees_hidden_posts            no       no     no         no   yes         no      no
may_see_post other           yes      yes    yes        yes  yes         yes     yes
may_see_post other_hidden    no       no     no         no   yes         no      no
may_see_post own_hidden      yes      yes    yes        yes  yes         yes     yes
may_post                     no       no     yes        yes  yes         no      no
may_reply other              no       no     yes        yes  yes         no      no
may_reply locked             no       no     no         no   no          no      no
may_reply other_hidden       no       no     no         no   no          no      no
may_report                   no       no     yes        yes  yes         no      no
may_delete_post own          no       no     yes        yes  yes         no      no
may_delete_post own_hidden   no       no     yes        yes  yes         no      no
may_delete_post other        no       no     no         no   no          no      no
may_edit_post own            no       no     yes        yes  yes         no      no
may_edit_post own_hidden     no       no     no         no   no          no      no
may_edit_post other          no       no     no         no   no          no      no
may_accept own               no       no     yes        yes  yes         no      no
may_accept other             no       no     no         no   yes         no      no
may_moderate                 no       no     no         no   yes         no      no
may_read_reports             no       no     no         no   yes         no      no
may_open_moderation          no       no     no         no   yes         no      no
may_open_report              no       no     yes        yes  yes         no      no
may_open_edit own            no       no     yes        yes  yes         no      no
may_open_edit own_hidden     no       no     no         no   no          no      no
may_open_delete own          no       no     yes        yes  yes         no      no
may_open_delete other        no       no     no         no   no          no      no
may_try_accept own           no       no     yes        yes  yes         no      no
may_try_accept other         no       no     no         no   yes         no      no
"""

# Private: reading (and so following) is for its members, sponsors and staff; the rest is as in a listed one.
PRIVATE = """
                             outsider former peripheral core coordinator sponsor staff
may_follow                   no       no     yes        yes  yes         yes     yes
may_post                     no       no     yes        yes  yes         no      no
may_moderate                 no       no     no         no   yes         no      no
"""

# Archived: kept for reference. Nothing changes; following and reading stay; the pages about a change open to
# whom they concern (they say it no longer changes, and the service refuses).
ARCHIVED = """
                             outsider former peripheral core coordinator sponsor staff
may_follow                   yes      yes    yes        yes  yes         yes     yes
sees_hidden_posts            no       no     no         no   yes         no      no
may_see_post other_hidden    no       no     no         no   yes         no      no
may_post                     no       no     no         no   no          no      no
may_reply other              no       no     no         no   no          no      no
may_report                   no       no     no         no   no          no      no
may_delete_post own          no       no     no         no   no          no      no
may_edit_post own            no       no     no         no   no          no      no
may_accept own               no       no     no         no   no          no      no
may_accept other             no       no     no         no   no          no      no
may_moderate                 no       no     no         no   no          no      no
may_read_reports             no       no     no         no   yes         no      no
may_open_moderation          no       no     no         no   yes         no      no
may_open_report              no       no     yes        yes  yes         no      no
may_open_edit own            yes      yes    yes        yes  yes         yes     yes
may_open_edit own_hidden     yes      yes    yes        yes  yes         yes     yes
may_open_edit other          no       no     no         no   no          no      no
may_open_delete own          yes      yes    yes        yes  yes         yes     yes
may_open_delete other        no       no     no         no   no          no      no
may_try_accept own           yes      yes    yes        yes  yes         yes     yes
may_try_accept other         no       no     no         no   yes         no      no
"""


def cases(kind: str, table: str) -> list:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert tuple(header) == ROLES
    found = []
    for row in rows:
        rule, answers = row[: -len(ROLES)], row[-len(ROLES) :]
        name, thing = rule[0], (rule[1] if len(rule) > 1 else None)
        assert hasattr(rules, name), name
        for role, answer in zip(ROLES, answers, strict=True):
            assert answer in ("yes", "no")
            found.append(
                pytest.param(kind, name, thing, role, answer == "yes", id=f"{kind}-{name}-{thing}-{role}")
            )
    return found


# --- The roles, built in memory (the rules read only what is loaded) ------------------------------------------

VIEWER, SOMEONE = 1, 2


def community(kind: str) -> Community:
    return Community(
        name="Open Data Practice",
        slug="open-data",
        visibility=Community.Visibility.PRIVATE if kind == "private" else Community.Visibility.LISTED,
        archived_at=timezone.now() if kind == "archived" else None,
    )


def access_of(kind: str, role: str) -> CommunityAccess:
    place = community(kind)
    viewer = User(pk=VIEWER, email="viewer@example.org", is_staff=role == "staff")
    status = {"outsider": None, "sponsor": None, "staff": None, "former": Membership.Status.LEFT}.get(
        role, Membership.Status.ACTIVE
    )
    membership = (
        Membership(
            community=place,
            user=viewer,
            status=status,
            level=Level.CORE if role in ("core", "coordinator") else Level.PERIPHERAL,
            role=Membership.Role.COORDINATOR if role == "coordinator" else Membership.Role.MEMBER,
        )
        if status
        else None
    )
    return CommunityAccess(
        community=place, viewer=viewer, membership=membership, is_sponsor=role == "sponsor"
    )


def thing_for(kind: str, thing: str | None) -> Discussion | Reply | None:
    if thing is None:
        return None
    place = community(kind)
    post = Discussion(
        community=place,
        title="How do you version datasets?",
        body="We keep copies.",
        author_id=VIEWER if thing.startswith("own") else SOMEONE,
        locked=thing == "locked",
    )
    if thing.endswith("hidden"):
        post.hidden_at = timezone.now()
    return post


@pytest.mark.parametrize(
    ("kind", "name", "thing", "role", "expected"),
    cases("listed", LISTED) + cases("private", PRIVATE) + cases("archived", ARCHIVED),
)
def test_each_rule_for_each_role(kind, name, thing, role, expected):
    access = access_of(kind, role)
    args = (access,) if thing is None else (access, thing_for(kind, thing))
    assert getattr(rules, name)(*args) is expected


def test_every_rule_is_in_the_tables():
    """A new predicate in the rules module gets its line in the tables."""
    predicates = {
        name
        for name in dir(rules)
        if (name.startswith("may_") or name.startswith("sees_")) and callable(getattr(rules, name))
    }
    tabled = {
        line.split()[0] for table in (LISTED, PRIVATE, ARCHIVED) for line in table.strip().splitlines()[1:]
    }
    assert predicates == tabled


def test_the_refusals_say_why():
    listed, archived = access_of("listed", "peripheral"), access_of("archived", "peripheral")
    other, own = thing_for("listed", "other"), thing_for("listed", "own_hidden")
    assert rules.post_refusal(access_of("listed", "outsider")) == (
        "Join Open Data Practice to take part in its discussions."
    )
    assert (
        rules.post_refusal(archived)
        == "Open Data Practice is archived: its discussions are kept for reference only."
    )
    assert (
        rules.reply_refusal(listed, thing_for("listed", "locked"))
        == "This discussion is locked: no new replies."
    )
    assert rules.change_refusal(listed, other, "edit") == "You can only edit what you wrote."
    assert rules.change_refusal(listed, own, "edit") == rules.HIDDEN_STAYS
    assert rules.change_refusal(access_of("listed", "former"), own, "delete") == (
        "You are no longer a member of Open Data Practice: your posts there stay as they are."
    )
    assert (
        rules.change_refusal(archived, own)
        == "Open Data Practice is archived: its discussions no longer change."
    )
    assert rules.accept_refusal(listed, other) == rules.ONLY_ASKER_OR_COORDINATOR
    assert rules.moderate_refusal(listed) == rules.ONLY_COORDINATORS
    assert "archived" in rules.moderate_refusal(access_of("archived", "coordinator"))


# --- The services enforce the same rules -------------------------------------------------------------------


@pytest.fixture
def world(db):
    """A listed community with one person per role, and a discussion with a reply by someone else."""
    place = CommunityFactory(name="Open Data Practice")
    people = {
        "outsider": UserFactory(),
        "former": MembershipFactory(community=place, status=Membership.Status.LEFT).user,
        "peripheral": member_of(place),
        "core": member_of(place, level=Level.CORE),
        "coordinator": MembershipFactory(community=place, role="coordinator", level=Level.CORE).user,
        "sponsor": SponsorshipFactory(community=place).sponsor,
        "staff": UserFactory(is_staff=True),
    }
    asker = member_of(place)
    discussion = services.discussion_start(author=asker, community=place, title="Versions?", body="How?")
    answer = services.reply_add(author=member_of(place), discussion=discussion, body="A manifest.")
    return place, people, discussion, answer


def acts_as_the_rule_says(allowed: bool, act) -> None:
    if allowed:
        act()
    else:
        with pytest.raises(NotPermitted):
            act()


@pytest.mark.parametrize("role", ROLES)
def test_starting_and_replying_follow_may_post_and_may_reply(world, role):
    place, people, discussion, _ = world
    access = access_for(people[role], place)
    acts_as_the_rule_says(
        rules.may_post(access),
        lambda: services.discussion_start(author=people[role], community=place, title="Hi", body="Hello"),
    )
    acts_as_the_rule_says(
        rules.may_reply(access, discussion),
        lambda: services.reply_add(author=people[role], discussion=discussion, body="Me too"),
    )


@pytest.mark.parametrize("role", ROLES)
def test_moderating_follows_may_moderate(world, role):
    place, people, discussion, answer = world
    access = access_for(people[role], place)
    acts_as_the_rule_says(
        rules.may_moderate(access),
        lambda: services.discussion_pin(actor=people[role], discussion=discussion, pinned=True),
    )
    acts_as_the_rule_says(
        rules.may_moderate(access),
        lambda: services.post_hide(actor=people[role], post=answer, reason="Off-topic"),
    )


@pytest.mark.parametrize("role", ROLES)
def test_accepting_following_and_reporting_follow_their_rules(world, role):
    place, people, discussion, answer = world
    access = access_for(people[role], place)
    acts_as_the_rule_says(
        rules.may_accept(access, discussion),
        lambda: services.reply_accept(actor=people[role], discussion=discussion, reply=answer),
    )
    acts_as_the_rule_says(
        rules.may_follow(access),
        lambda: services.follow_set(user=people[role], discussion=discussion, follow=True),
    )
    acts_as_the_rule_says(
        rules.may_report(access),
        lambda: services.post_report(reporter=people[role], post=answer, reason="Rude"),
    )


@pytest.mark.parametrize("role", ["peripheral", "former"])
def test_authors_change_their_posts_as_may_edit_and_may_delete_say(world, role):
    place, people, discussion, _ = world
    author = people[role]
    mine = services.reply_add(author=people["peripheral"], discussion=discussion, body="Mine")
    Reply.objects.filter(pk=mine.pk).update(author=author)
    mine.refresh_from_db()
    access = access_for(author, place)
    acts_as_the_rule_says(
        rules.may_edit_post(access, mine), lambda: services.post_edit(user=author, post=mine, body="Edited")
    )
    acts_as_the_rule_says(
        rules.may_delete_post(access, mine), lambda: services.post_delete(user=author, post=mine)
    )


def test_in_an_archived_community_every_change_is_not_permitted(world):
    place, people, discussion, answer = world
    Community.objects.filter(pk=place.pk).update(archived_at=timezone.now())
    place.refresh_from_db()
    coordinator, member = people["coordinator"], people["peripheral"]
    assert not rules.may_moderate(access_for(coordinator, place))
    with pytest.raises(NotPermitted, match="is archived"):
        services.discussion_lock(actor=coordinator, discussion=discussion, locked=True)
    with pytest.raises(NotPermitted, match="is archived"):
        services.discussion_start(author=member, community=place, title="Hi", body="Hello")
    with pytest.raises(NotPermitted, match="is archived"):
        services.reply_accept(actor=coordinator, discussion=discussion, reply=answer)
    assert services.follow_set(user=member, discussion=discussion, follow=True)

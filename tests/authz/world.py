"""The world the authorization matrix requests: a listed, a private and an archived community, each with its
people and with one of every kind of object a URL can name, built once per test module through the services.

The private community's content carries MARKER, so a response that leaks it can be caught by looking for it.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from activities.calendar import services as activity_services
from activities.discussions import services as discussion_services
from activities.models import Activity, CalendarToken, Discussion, Occurrence, Reply, Report, Rsvp
from communities import services as community_services
from communities.models import Community, EmailInvitation, Membership, Sponsorship
from copsite.demo.repertoire import minimal_pdf
from insights.models import ValueStory
from members.models import User
from repertoire import services as repertoire_services
from repertoire.models import Collection, Resource, ResourceFile
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, coordinator_of, member_of

MARKER = "Zq7MatrixSecret"
"""Planted in the private community's content (charter, posts, activities, resources, stories, reports)."""

KINDS = ("listed", "private", "archived")
"""The communities every community URL is requested in: listed, private, and archived (a listed one)."""

ROLES = (
    "anon",
    "outsider",
    "peripheral",
    "core",
    "coordinator",
    "other_coordinator",
    "sponsor",
    "removed",
    "staff",
)
"""Who requests: relative to the community of the URL for peripheral, core, coordinator and removed."""

PLACE_ROLES = ("peripheral", "core", "coordinator", "removed")
"""Roles with a person of their own in each community; the others are the same person everywhere."""


@dataclass
class Place:
    """One community of the world and everything in it a URL can name."""

    kind: str
    community: Community
    people: dict[str, User]
    author: User  # an active member who owns "someone else's" objects
    requester: User  # asked to join, waiting
    invitee: User  # invited, has not answered
    discussion: Discussion  # by the author
    solved_discussion: Discussion  # by the author, the core member's reply accepted: ready to harvest
    hidden_discussion: Discussion  # by the author, hidden by the coordinator
    reply: Reply  # by the author
    own_replies: dict[
        str, Reply
    ]  # one reply by each place role (the removed member wrote theirs before removal)
    own_hidden_replies: dict[str, Reply]  # one reply by each place role that a coordinator hid
    own_discussions: dict[str, Discussion]
    occurrence: Occurrence  # upcoming, by the coordinator
    past_occurrence: Occurrence  # yesterday, with notes
    cancelled_occurrence: Occurrence  # upcoming, cancelled by the coordinator
    rsvp: Rsvp  # the author's, on the upcoming date
    resource: Resource  # published, by the author, with a file, edited once (two versions)
    file: ResourceFile
    draft: Resource  # by the author
    collection: Collection  # holding the resource, then a second one
    empty_collection: Collection
    report: Report  # the peripheral member's report of the author's reply
    membership_of: dict[str, Membership]  # the membership row of each place role, requester and invitee
    email_invitation: EmailInvitation  # an open invitation to an address without an account
    sponsorship: Sponsorship
    value_story: ValueStory


@dataclass
class World:
    places: dict[str, Place]
    people: dict[str, User]  # outsider, other_coordinator, sponsor, staff
    elsewhere: Community  # the community the other coordinator runs
    departed: (
        User  # left the organization: deactivated by staff, once an active member of the private community
    )
    tokens: dict[int, str] = field(default_factory=dict)  # calendar feed token per user id

    def person(self, role: str, kind: str | None) -> User | None:
        """The person who plays `role` for a URL of the `kind` community (None: the anonymous visitor).
        URLs outside a community are requested by the private community's people."""
        if role == "anon":
            return None
        if role in PLACE_ROLES:
            return self.places[kind or "private"].people[role]
        return self.people[role]

    def may_see_private(self, user: User | None) -> bool:
        """Whether `user` may see the private community's content (and so MARKER)."""
        if user is None:
            return False
        private = self.places["private"]
        insiders = {private.author.pk, self.people["sponsor"].pk, self.people["staff"].pk}
        insiders |= {private.people[role].pk for role in ("peripheral", "core", "coordinator")}
        return user.pk in insiders


def _person(name: str, **fields) -> User:
    return UserFactory(full_name=name, email=f"{name.lower().replace(' ', '.')}@matrix.example", **fields)


def _text(kind: str, text: str) -> str:
    return f"{text} {MARKER}" if kind == "private" else text


def _build_place(kind: str, world_people: dict[str, User]) -> Place:
    label = kind.capitalize()
    community = CommunityFactory(
        name=f"{label} Guild",
        slug=f"{kind}-guild",
        visibility="private" if kind == "private" else "listed",
        description=_text(kind, "What we do together."),
        charter_purpose=_text(kind, "We get better at incident reviews."),
    )
    coordinator = coordinator_of(community, user=_person(f"{label} Coordinator"))
    core = member_of(community, "core", user=_person(f"{label} Core"))
    peripheral = member_of(community, "peripheral", user=_person(f"{label} Peripheral"))
    author = member_of(community, "active", user=_person(f"{label} Author"))
    removed = member_of(community, "active", user=_person(f"{label} Removed"))
    people = {"coordinator": coordinator, "core": core, "peripheral": peripheral, "removed": removed}

    discussion = discussion_services.discussion_start(
        author=author,
        community=community,
        title=_text(kind, "How do you run reviews?"),
        body=_text(kind, "Tell."),
    )
    reply = discussion_services.reply_add(
        author=author, discussion=discussion, body=_text(kind, "Timeline first.")
    )
    own_replies, own_hidden, own_discussions = {}, {}, {}
    for role, person in people.items():
        own_replies[role] = discussion_services.reply_add(
            author=person, discussion=discussion, body=_text(kind, f"My answer, {role}.")
        )
        own_hidden[role] = discussion_services.reply_add(
            author=person, discussion=discussion, body=_text(kind, f"Something off-topic, {role}.")
        )
        discussion_services.post_hide(actor=coordinator, post=own_hidden[role], reason="Off-topic.")
        own_discussions[role] = discussion_services.discussion_start(
            author=person, community=community, title=_text(kind, f"A question from {role}"), body="Why?"
        )
    report = discussion_services.post_report(reporter=peripheral, post=reply, reason=_text(kind, "Rude."))
    solved = discussion_services.discussion_start(
        author=author, community=community, title=_text(kind, "Which template?"), body=_text(kind, "Any?")
    )
    answer = discussion_services.reply_add(author=core, discussion=solved, body=_text(kind, "The short one."))
    discussion_services.reply_accept(actor=author, discussion=solved, reply=answer)
    hidden_discussion = discussion_services.discussion_start(
        author=author, community=community, title=_text(kind, "Off-topic rant"), body=_text(kind, "Grr.")
    )
    discussion_services.post_hide(actor=coordinator, post=hidden_discussion, reason="Off-topic.")

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    upcoming = activity_services.activity_schedule(
        actor=coordinator,
        community=community,
        title=_text(kind, "Review clinic"),
        description=_text(kind, "Bring an incident."),
        start_local=datetime.datetime.combine(tomorrow, datetime.time(10)),
        end_local=datetime.datetime.combine(tomorrow, datetime.time(11)),
        time_zone="UTC",
    )
    occurrence = upcoming.occurrences.get()
    rsvp = activity_services.rsvp_set(user=author, occurrence=occurrence, answer=Rsvp.Answer.GOING)
    called_off = activity_services.activity_schedule(
        actor=coordinator,
        community=community,
        title=_text(kind, "Postponed clinic"),
        start_local=datetime.datetime.combine(tomorrow, datetime.time(14)),
        end_local=datetime.datetime.combine(tomorrow, datetime.time(15)),
        time_zone="UTC",
    )
    cancelled = activity_services.occurrence_cancel(
        actor=coordinator, occurrence=called_off.occurrences.get(), reason="The room is taken."
    )
    past = Activity.objects.create(
        community=community, title=_text(kind, "Last clinic"), time_zone="UTC", created_by=coordinator
    )
    start = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(10)), datetime.UTC)
    past_occurrence = Occurrence.objects.create(
        activity=past,
        community=community,
        sequence=1,
        original_start=start,
        start=start,
        end=start + datetime.timedelta(hours=1),
        notes=_text(kind, "We learned to write timelines."),
    )
    Rsvp.objects.create(occurrence=past_occurrence, user=author, answer=Rsvp.Answer.GOING, answered_at=start)

    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "checklist.pdf", minimal_pdf("Checklist", ["Step one"]), content_type="application/pdf"
    )
    resource = repertoire_services.resource_create(
        actor=author,
        community=community,
        title=_text(kind, "Incident review checklist"),
        body=_text(kind, "1. Timeline first"),
        uploads=[upload],
    )
    resource = repertoire_services.resource_update(
        actor=author,
        resource=resource,
        title=resource.title,
        kind=resource.kind,
        body=_text(kind, "1. Timeline first\n2. Causes second"),
        note="Second step.",
    )
    second = repertoire_services.resource_create(
        actor=author, community=community, title=_text(kind, "Timeline template")
    )
    draft = repertoire_services.resource_create(
        actor=author, community=community, title=_text(kind, "Draft runbook"), status=Resource.Status.DRAFT
    )
    collection = repertoire_services.collection_create(
        actor=coordinator, community=community, title=_text(kind, "Starter kit")
    )
    repertoire_services.collection_add(actor=coordinator, collection=collection, resource=resource)
    repertoire_services.collection_add(actor=coordinator, collection=collection, resource=second)
    empty_collection = repertoire_services.collection_create(
        actor=coordinator, community=community, title=_text(kind, "Reading list")
    )

    requester = _person(f"{label} Requester")
    invitee = _person(f"{label} Invitee")
    staff = world_people["staff"]
    # The private community takes members on approval; the others are open (asking first needs approval).
    community.join_policy = Community.JoinPolicy.APPROVAL
    community.save(update_fields=["join_policy"])
    community_services.membership_request(user=requester, community=community, message="Hello")
    community_services.membership_invite(actor=coordinator, community=community, user=invitee)
    if kind != "private":
        community.join_policy = Community.JoinPolicy.OPEN
        community.save(update_fields=["join_policy"])
    email_invitation = community_services.email_invitation_create(
        actor=coordinator, community=community, email=f"newcomer.{kind}@matrix.example"
    )
    sponsorship = community_services.sponsorship_assign(
        actor=staff, community=community, sponsor=world_people["sponsor"]
    )
    value_story = ValueStory.objects.create(
        community=community,
        cycle="realized",
        title=_text(kind, "Fewer repeat incidents"),
        story=_text(kind, "After the checklist."),
        happened_on=yesterday,
        recorded_by=coordinator,
    )
    community_services.membership_remove(
        actor=coordinator,
        membership=Membership.objects.get(community=community, user=removed),
        reason="Left.",
    )
    memberships = {
        m.user_id: m for m in Membership.objects.filter(community=community).select_related("user")
    }
    membership_of = {role: memberships[person.pk] for role, person in people.items()}
    membership_of["requester"] = memberships[requester.pk]
    membership_of["invitee"] = memberships[invitee.pk]
    if kind == "archived":
        community_services.community_archive(actor=staff, community=community)
        community.refresh_from_db()
    return Place(
        kind=kind,
        community=community,
        people=people,
        author=author,
        requester=requester,
        invitee=invitee,
        discussion=discussion,
        solved_discussion=solved,
        hidden_discussion=hidden_discussion,
        reply=reply,
        own_replies=own_replies,
        own_hidden_replies=own_hidden,
        own_discussions=own_discussions,
        occurrence=occurrence,
        past_occurrence=past_occurrence,
        cancelled_occurrence=cancelled,
        rsvp=rsvp,
        resource=resource,
        file=resource.files.get(),
        draft=draft,
        collection=collection,
        empty_collection=empty_collection,
        report=report,
        membership_of=membership_of,
        email_invitation=email_invitation,
        sponsorship=sponsorship,
        value_story=value_story,
    )


def build_world() -> World:
    """Everything the matrix requests, in the database of the running test module."""
    people = {
        "outsider": _person("Otto Outsider"),
        "other_coordinator": _person("Olga Othercoordinator"),
        "sponsor": _person("Sina Sponsor"),
        "staff": _person("Stan Staff", is_staff=True, is_superuser=True),
    }
    elsewhere = CommunityFactory(name="Elsewhere Circle", slug="elsewhere")
    MembershipFactory(community=elsewhere, user=people["other_coordinator"], role="coordinator", level="core")
    places = {kind: _build_place(kind, people) for kind in KINDS}
    departed = member_of(places["private"].community, "active", user=_person("Dora Departed"))
    community_services.member_deactivate(actor=people["staff"], user=departed)
    tokens = {}
    for user in User.objects.all():
        tokens[user.pk] = CalendarToken.objects.create(user=user).token
    return World(places=places, people=people, elsewhere=elsewhere, departed=departed, tokens=tokens)

"""The coordinator digest: who gets it, each section and where its links lead, what never appears, when it is not
sent, times in the coordinator's zone, the real mail over SMTP for daily and weekly coordinators, and a fixed
number of queries per batch."""

import re
from contextlib import contextmanager
from datetime import UTC, datetime
from html import unescape
from types import SimpleNamespace
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

from activities.calendar import services as activity_services
from activities.discussions import services as discussion_services
from activities.models import Discussion, Occurrence, Report
from communities import services as community_services
from communities.models import Community, EmailInvitation, Membership
from core.unsubscribe import read_unsubscribe_token, unsubscribe_url
from insights.deliveries import Mail, deliveries_plan, deliveries_send
from insights.digests import coordinator
from insights.health import health_checks
from insights.models import Delivery
from members.models import NotificationPreference, Profile, User
from repertoire import services as repertoire_services
from tests.benchdata import seed_scaled
from tests.factories import MembershipFactory, UserFactory, coordinator_of, member_of
from tests.querycount import assert_constant_function_queries

pytestmark = pytest.mark.django_db

KIND = "coordinator_digest"
SITE = "https://cop.example.org"
# Monday 30 November 2026, 09:00 UTC (18:00 in Tokyo): Cora's last week is 2026-W48, from Monday 23 November
# 00:00 JST (22 November 15:00 UTC) to Monday 30 November 00:00 JST (29 November 15:00 UTC).
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TOKYO = ZoneInfo("Asia/Tokyo")
NEVER = (
    *("Hidden rant", "Deleted musing", "Fresh question"),  # hidden, deleted, not yet 48 hours old
    *("Unfinished draft", "Attic", "Eve Early"),  # a draft, an archived community, a join before the week
    *("Olga Outdated", "expired@example.org"),  # expired invitations
)


def at(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@contextmanager
def clock(moment: datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def person(name: str, *, zone: str = "UTC", email: str | None = None):
    user = UserFactory(full_name=name, **({"email": email} if email else {}))
    Profile.objects.filter(user=user).update(time_zone=zone)
    return user


def schedule(
    cora, guild, title: str, day: int, *, month: int = 11, capacity: int | None = None
) -> Occurrence:
    activity = activity_services.activity_schedule(
        actor=cora,
        community=guild,
        title=title,
        start_local=datetime(2026, month, day, 10, 0),
        end_local=datetime(2026, month, day, 11, 0),
        time_zone="Europe/Berlin",
        capacity=capacity,
    )
    return activity.occurrences.get()


@pytest.fixture
def world():
    """Site Reliability Guild (maturing, on approval), coordinated by Cora in Tokyo, with something for every
    section in week 48, things just outside it, things that must never show, a quiet community and an archived one.
    """
    cora = person("Cora Coordinator", zone="Asia/Tokyo", email="cora@example.org")
    ann, bob, cy, dee = (person(n) for n in ("Ann Author", "Bob Builder", "Cy Curious", "Dee Departing"))
    with clock(at(1, 9, month=10)):
        guild = community_services.community_propose(
            proposer=cora,
            name="Site Reliability Guild",
            domain="Making our releases boring.",
            join_policy="approval",
        )
        attic = community_services.community_propose(proposer=cora, name="Attic", domain="Old things.")
        quiet = community_services.community_propose(
            proposer=person("Quinn Quiet"), name="Quiet Corner", domain="Calm."
        )
        for user, level in ((ann, "active"), (bob, "active"), (cy, "occasional"), (dee, "peripheral")):
            MembershipFactory(community=guild, user=user, level=level, joined_at=timezone.now())
        for _ in range(2):  # a core group of three: every check of a potential community is green
            MembershipFactory(community=quiet, level="core", joined_at=timezone.now())
        MembershipFactory(community=attic, user=ann)
    Community.objects.filter(pk=guild.pk).update(stage="maturing")
    guild.refresh_from_db()
    shown = SimpleNamespace()
    with clock(at(20, 9)):  # before the week: scheduled, answered, and one join that is not this week's news
        shown.game_day = schedule(cora, guild, "Game day", 25)
        shown.clinic = schedule(cora, guild, "Chaos clinic", 26)
        shown.review = schedule(cora, guild, "Incident review", 3, month=12, capacity=2)
        for user in (ann, bob):
            activity_services.rsvp_set(user=user, occurrence=shown.game_day, answer="going")
        activity_services.rsvp_set(user=cy, occurrence=shown.clinic, answer="going")
        for user in (ann, bob, cy):  # two seats: Cy waits
            activity_services.rsvp_set(user=user, occurrence=shown.review, answer="going")
        eve = community_services.membership_request(user=person("Eve Early"), community=guild)
        community_services.membership_decide(actor=cora, membership=eve, approve=True)
    with clock(at(24, 10)):  # in the week
        fay = community_services.membership_request(user=person("Fay Fresh"), community=guild)
        community_services.membership_decide(actor=cora, membership=fay, approve=True)
        community_services.membership_leave(
            user=dee, membership=Membership.objects.get(user=dee, community=guild)
        )
        community_services.membership_change_level(
            actor=cora, membership=Membership.objects.get(user=cy, community=guild), level="active"
        )
        shown.unanswered = discussion_services.discussion_start(
            author=ann, community=guild, title="How do you run game days?", body="Tips?"
        )
        shown.reported = discussion_services.discussion_start(
            author=bob, community=guild, title="Blameless postmortems?", body="How blameless?"
        )
        hidden = discussion_services.discussion_start(
            author=bob, community=guild, title="Hidden rant", body="Grr"
        )
        discussion_services.post_hide(actor=cora, post=hidden, reason="Off topic")
        deleted = discussion_services.discussion_start(
            author=bob, community=guild, title="Deleted musing", body="Hmm"
        )
        discussion_services.post_report(reporter=ann, post=deleted, reason="Off topic musing")
        discussion_services.post_delete(user=bob, post=deleted)
        shown.runbook = repertoire_services.resource_create(
            actor=ann,
            community=guild,
            title="Runbook template",
            kind="template",
            summary="One page per service.",
        )
        repertoire_services.resource_create(
            actor=ann, community=guild, title="Unfinished draft", status="draft"
        )
    with clock(at(25, 10)):
        discussion_services.reply_add(author=ann, discussion=shown.reported, body="Fully blameless.")
        shown.report = discussion_services.post_report(
            reporter=cy, post=shown.reported, reason="Names a colleague"
        )
        repertoire_services.resource_apply(
            actor=bob, resource=shown.runbook, story="Cut our handover to 10 minutes."
        )
    with clock(at(27, 10)):
        activity_services.attendance_record(actor=cora, occurrence=shown.game_day, attended_user_ids={ann.pk})
    with clock(at(29, 12)):  # 21:00 in Tokyo on Sunday: in the week, but not yet 48 hours without an answer
        discussion_services.discussion_start(
            author=bob, community=guild, title="Fresh question", body="Anyone?"
        )
    with clock(at(30, 8)):  # after the week: waiting now
        community_services.membership_request(
            user=person("Rita Requester"), community=guild, message="I run the on-call rota."
        )
        community_services.membership_request(user=person("Rob Requester"), community=guild)
        community_services.membership_invite(actor=cora, community=guild, user=person("Ivan Invitee"))
        community_services.email_invitation_create(actor=cora, community=guild, email="newcomer@example.org")
        community_services.community_archive(actor=UserFactory(is_staff=True), community=attic)
        expired = community_services.membership_invite(
            actor=cora, community=guild, user=person("Olga Outdated")
        )
        stale = community_services.email_invitation_create(
            actor=cora, community=guild, email="expired@example.org"
        )
    Membership.objects.filter(pk=expired.pk).update(invitation_expires_at=at(29, 0))
    EmailInvitation.objects.filter(pk=stale.pk).update(expires_at=at(29, 0))
    return SimpleNamespace(cora=cora, ann=ann, guild=guild, attic=attic, quiet=quiet, shown=shown)


def delivery_of(user, community) -> Delivery:
    return Delivery.objects.select_related("recipient__profile", "community").get(
        kind=KIND, recipient=user, community=community
    )


def digest(world, user=None, community=None) -> tuple[Delivery, Mail | None]:
    """Plan at NOW and build one delivery's mail (the way deliveries_send loads and builds it)."""
    with clock(NOW):
        deliveries_plan(KIND, now=NOW, force=True)
        delivery = delivery_of(user or world.cora, community or world.guild)
        return delivery, coordinator.build([delivery])[delivery.pk]


def render(mail: Mail, recipient) -> tuple[str, str, str]:
    """Subject, text and HTML as core.mail.send_templated_mail renders them."""
    context = {
        **mail.context,
        "unsubscribe_url": f"{SITE}/unsubscribe/token/",
        "recipient": recipient,
        "SITE_URL": SITE,
        "SITE_NAME": "CoPsite",
    }
    return tuple(
        render_to_string(f"mail/{mail.template}_{part}", context)
        for part in ("subject.txt", "body.txt", "body.html")
    )


def url(name: str, *args) -> str:
    return f"{SITE}{reverse(name, args=args)}"


# --- Who gets it -----------------------------------------------------------------------------------------


def test_candidates_are_the_active_coordinators_of_communities_not_archived(world):
    carl = coordinator_of(world.guild)
    MembershipFactory(community=world.guild, role="coordinator", status="left")  # no longer coordinates
    member_of(world.guild, "core")  # core group, but not a coordinator
    quinn = Membership.objects.get(community=world.quiet, role="coordinator").user
    expected = {(world.cora.pk, world.guild.pk), (carl.pk, world.guild.pk), (quinn.pk, world.quiet.pk)}
    assert set(coordinator.candidates(None)) == expected
    assert set(coordinator.candidates([world.guild.pk, world.attic.pk])) == expected - {
        (quinn.pk, world.quiet.pk)
    }


# --- What it tells -----------------------------------------------------------------------------------------


def test_every_section_in_order_with_counts_and_links_to_where_the_coordinator_acts(world):
    delivery, mail = digest(world)
    assert (delivery.period, delivery.period_start) == ("2026-W48", at(22, 15))
    assert mail.template == "insights/coordinator_digest"
    sections = {section.key: section for section in mail.context["sections"]}
    assert list(sections) == [
        "decisions", "changes", "upcoming", "attendance", "unanswered", "reports", "resources", "stories", "health"
    ]  # fmt: skip
    slug = world.guild.slug
    manage = url("communities:manage_members", slug)
    shown = world.shown

    def lines(key: str) -> list[tuple[str, str, str]]:
        return [(item.title, item.detail, item.url) for item in sections[key].items]

    assert lines("decisions") == [
        ("Rita Requester", "asks to join", manage),
        ("Rob Requester", "asks to join", manage),
        ("Ivan Invitee", "invited, has not answered yet", manage),
        ("newcomer@example.org", "invited by email, has not signed up yet", manage),
    ]
    assert sections["decisions"].summary == "2 requests, 2 invitations not answered yet"
    assert sections["decisions"].items[0].note == "“I run the on-call rota.”"
    assert [(title, detail) for title, detail, _ in lines("changes")] == [
        ("Fay Fresh", "joined (Peripheral)"),
        ("Dee Departing", "left"),
        ("Cy Curious", "moved from Occasional to Active"),
    ]
    assert sections["changes"].summary == "1 joined, 1 left, 1 changed level"
    assert sections["changes"].items[1].url == f"{manage}?q=" + world.guild.memberships.get(
        user__full_name="Dee Departing"
    ).user.email.replace("@", "%40")
    assert lines("upcoming") == [
        (
            "Incident review",
            "2 going of 2 seats, 1 on the waitlist",
            url("activities:occurrence", slug, shown.review.pk),
        )
    ]
    assert lines("attendance") == [
        ("Game day", "1 attended of 2 going", url("activities:occurrence", slug, shown.game_day.pk)),
        (
            "Chaos clinic",
            "1 said they were going; attendance not recorded yet",
            url("activities:attendance", slug, shown.clinic.pk),
        ),
    ]
    assert lines("unanswered") == [
        (
            "How do you run game days?",
            "started by Ann Author, no answer yet",
            url("activities:discussion", slug, shown.unanswered.pk),
        )
    ]
    assert sections["unanswered"].url == url("activities:discussions", slug) + "?show=unanswered"
    assert lines("reports") == [
        (
            "“Blameless postmortems?”",
            "reported: Names a colleague",
            url("activities:discussion_reports", slug),
        )
    ]
    assert lines("resources") == [
        ("Runbook template", "Template", url("repertoire:resource", slug, shown.runbook.pk))
    ]
    assert [(i.title, i.note, i.url) for i in sections["stories"].items] == [
        (
            "Bob Builder applied “Runbook template”",
            "“Cut our handover to 10 minutes.”",
            url("repertoire:resource", slug, shown.runbook.pk),
        )
    ]
    with clock(NOW):
        checks = health_checks([world.guild])[world.guild.pk]
    not_green = [check for check in checks if check.needs_action]
    assert not_green and len(not_green) < len(checks)  # the fixture has both kinds
    assert [item.title for item in sections["health"].items] == [check.title for check in not_green]
    assert (
        sections["health"].items[0].detail.startswith(f"{not_green[0].status_label}: {not_green[0].measured}")
    )
    assert {item.url for item in sections["health"].items} == {url("insights:community", slug)}

    subject, text, html = render(mail, world.cora)
    assert subject.strip() == "Your week in Site Reliability Guild: 2 requests waiting"
    for body in (text, html):
        assert "Monday 23 November to Sunday 29 November 2026" in body
        assert "Waiting for a decision (4)" in body and "Held last week (2)" in body
        for check in not_green:  # read as the reader does: "activity's" is escaped in the HTML body
            assert check.title in unescape(body) and check.advice in unescape(body)
            assert check.measured in body and check.threshold in body
        for check in set(checks) - set(not_green):
            assert check.title not in body
        assert "You get this because you coordinate Site Reliability Guild." in body
        assert url("members:notifications") in body and f"{SITE}/unsubscribe/token/" in body
        assert "Change how often:" in body and "Stop all coordinator digests" in body
    assert f"Stop all coordinator digests in one click: {SITE}/unsubscribe/token/" in text
    # The decision is the one action near the top, before the first section.
    assert text.index(f"Decide on the members page:\n{manage}") < text.index("== Waiting for a decision")
    assert html.index(f'href="{manage}"') < html.index("Waiting for a decision (4)</h2>")
    assert "“I run the on-call rota.”" in text and "“I run the on-call rota.”" in html
    # Every link in the HTML is absolute, to the site.
    links = re.findall(r'href="([^"]+)"', html)
    assert links and all(link.startswith(f"{SITE}/") for link in links)
    for section in sections.values():
        for item in section.items:
            assert item.url in text and f'href="{item.url}"'.replace("&", "&amp;") in html


def test_hidden_and_deleted_discussions_drafts_and_outside_the_period_never_appear(world):
    _, mail = digest(world)
    for part in render(mail, world.cora):
        for never in NEVER:
            assert never not in part
    titles = [item.title for section in mail.context["sections"] for item in section.items]
    assert not any(never in title for never in NEVER for title in titles)
    assert (
        Report.objects.filter(resolved_at__isnull=True).count() == 2
    )  # the deleted post's report is left out


def test_times_are_shown_in_the_coordinators_time_zone(world):
    _, mail = digest(world)
    _, text, html = render(mail, world.cora)
    review = world.shown.review.start  # Thursday 3 December, 10:00 in Berlin (09:00 UTC) is 18:00 in Tokyo
    assert dateformat.format(review.astimezone(TOKYO), "D j M, H:i T") == "Thu 3 Dec, 18:00 JST"
    for body in (text, html):
        assert "Thu 3 Dec, 18:00 JST" in body and "Wed 25 Nov, 18:00 JST" in body
        assert "times in Asia/Tokyo" in body
        assert "10:00" not in body and "09:00" not in body
    Profile.objects.filter(user=world.cora).update(time_zone="America/New_York")
    _, mail = digest(world)
    _, text, _ = render(mail, world.cora)
    assert "Thu 3 Dec, 04:00 EST" in text


def test_nothing_to_tell_means_no_mail(world):
    quinn = Membership.objects.get(community=world.quiet, role="coordinator").user
    _, mail = digest(world, quinn, world.quiet)
    assert mail is None
    # One unanswered question older than 48 hours is enough to write.
    with clock(at(25, 9)):
        discussion_services.discussion_start(
            author=quinn, community=world.quiet, title="Anyone?", body="Hello?"
        )
    _, mail = digest(world, quinn, world.quiet)
    assert [section.key for section in mail.context["sections"]] == ["unanswered"]
    assert mail.context["headline"] == "1 unanswered discussion"


def test_an_archived_community_or_a_former_coordinator_gets_nothing(world):
    with clock(NOW):
        deliveries_plan(KIND, now=NOW, force=True)
    assert not Delivery.objects.filter(community=world.attic).exists()  # never planned
    attic = Delivery.objects.create(
        recipient=world.cora,
        kind=KIND,
        period="2026-W48",
        scope=f"community:{world.attic.pk}",
        community=world.attic,
        period_start=at(22, 15),
        period_end=at(29, 15),
    )
    guild = delivery_of(world.cora, world.guild)
    Membership.objects.filter(user=world.cora, community=world.guild).update(role="member")
    rows = list(
        Delivery.objects.select_related("recipient__profile", "community").filter(pk__in=[attic.pk, guild.pk])
    )
    with clock(NOW):
        assert coordinator.build(rows) == {attic.pk: None, guild.pk: None}
    assert coordinator.build([]) == {}


def test_a_long_section_lists_ten_and_says_how_many_more_without_a_query(django_assert_num_queries):
    guild = Community(name="Big Guild", slug="big-guild", stage="potential")
    cora = User(full_name="Cora Coordinator", email="cora@example.org")
    cora.profile = Profile(user=cora, time_zone="Asia/Tokyo")
    requests = [
        Membership(user=User(full_name=f"Person {n}"), status="requested", created_at=at(20, n))
        for n in range(12)
    ]
    rows = coordinator.CommunityRows(community=guild, requests=requests)
    delivery = Delivery(recipient=cora, period="2026-W48", period_start=at(22, 15), period_end=at(29, 15))
    with django_assert_num_queries(0):
        context = coordinator.coordinator_digest_context(delivery, rows, now=NOW)
    [section] = context["sections"]
    assert (section.count, len(section.shown), section.more) == (12, 10, 2)
    assert context["headline"] == "12 requests waiting" and context["has_news"]
    _, text, html = render(Mail("insights/coordinator_digest", context), cora)
    assert "Waiting for a decision (12)" in text and "... and 2 more." in text and "And 2 more." in html
    assert "Person 9" in text and "Person 10" not in text
    assert "Fri 20 Nov: Person 0" in text  # 00:00 UTC is 09:00 in Tokyo, the same day


# --- The real mail -------------------------------------------------------------------------------------------


def test_sent_for_real_daily_and_weekly_over_smtp(world, smtp_server):
    """Cora chose daily (yesterday in Tokyo), Carl keeps the weekly default; Quinn has nothing and gets none."""
    NotificationPreference.objects.create(user=world.cora, kind=KIND, frequency="daily")
    carl = coordinator_of(world.guild, user=person("Carl Second", email="carl@example.org"))
    NotificationPreference.objects.create(user=carl, kind=KIND, frequency="weekly")
    with clock(NOW):
        ids = deliveries_plan(KIND, now=NOW, force=True)
        result = deliveries_send(ids, token="t")
    assert (result.sent, result.skipped, result.failed) == (2, 1, 0)
    periods = dict(Delivery.objects.filter(kind=KIND).values_list("recipient__email", "period"))
    assert periods["cora@example.org"] == "2026-11-29" and periods["carl@example.org"] == "2026-W48"
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{4}-W\d{2}", period) for period in periods.values())
    assert set(Delivery.objects.filter(kind=KIND).values_list("status", flat=True)) == {"sent", "skipped"}

    [daily] = smtp_server.wait_for("cora@example.org")
    [weekly] = smtp_server.wait_for("carl@example.org")
    assert daily["Subject"] == "[CoPsite] Your day in Site Reliability Guild: 2 requests waiting"
    assert weekly["Subject"] == "[CoPsite] Your week in Site Reliability Guild: 2 requests waiting"
    for message, user in ((daily, world.cora), (weekly, carl)):
        assert message["To"] == user.email
        assert message.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
        # The signed one-click link names this person and this kind (its signature carries a timestamp).
        unsubscribe = message["List-Unsubscribe"].strip("<>")
        prefix = unsubscribe_url(user.pk, KIND).rsplit("/", 2)[0]
        assert unsubscribe.startswith(f"{SITE}/") and unsubscribe.startswith(prefix)
        assert read_unsubscribe_token(unsubscribe.rstrip("/").rsplit("/", 1)[1]) == (user.pk, KIND)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for body in (text, html):
            assert unsubscribe in body and url("members:notifications") in body
            assert url("communities:manage_members", world.guild.slug) in body
            assert "Rita Requester" in body
        assert all(link.startswith(f"{SITE}/") for link in re.findall(r'href="([^"]+)"', html))
    daily_text = daily.get_body(("plain",)).get_content()
    weekly_text = weekly.get_body(("plain",)).get_content()
    # Yesterday in Tokyo (Sunday 29th) held no join; last week (in UTC, Carl's zone) held Fay's.
    assert "Sunday 29 November 2026" in daily_text and "Fay Fresh" not in daily_text
    assert "Monday 23 November to Sunday 29 November 2026" in weekly_text and "Fay Fresh" in weekly_text
    assert "Thu 3 Dec, 18:00 JST" in daily_text and "Thu 3 Dec, 09:00 UTC" in weekly_text
    assert smtp_server.to(Membership.objects.get(community=world.quiet, role="coordinator").user.email) == []


# --- Queries per batch ------------------------------------------------------------------------------------------


def _coordinate_twenty(community_ids: list[int]) -> None:
    """20 (coordinator, community) pairs in the first benchmark communities; every other coordinator wants it
    daily (a preference covers all the communities they coordinate)."""
    needed = 20 - Membership.objects.filter(community_id__in=community_ids, role="coordinator").count()
    members = Membership.objects.filter(community_id__in=community_ids, role="member", status="active")
    Membership.objects.filter(
        pk__in=list(members.order_by("pk").values_list("pk", flat=True)[:needed])
    ).update(role="coordinator")
    coordinators = Membership.objects.filter(community_id__in=community_ids, role="coordinator")
    people = sorted(set(coordinators.values_list("user_id", flat=True)))
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user_id=pk, kind=KIND, frequency="daily") for pk in people[::2]],
        ignore_conflicts=True,
    )


def _report_some(scale: int) -> None:
    """The benchmark seeds no reports: add ten per unit of scale on visible discussions."""
    discussions = Discussion.objects.filter(hidden_at__isnull=True, deleted_at__isnull=True).order_by("?")
    reporters = list(Membership.objects.filter(status="active").values_list("user_id", flat=True)[:50])
    Report.objects.bulk_create(
        [
            Report(discussion=d, reporter_id=reporters[i % len(reporters)], reason="Please look")
            for i, d in enumerate(discussions[: 10 * scale])
        ]
    )


def test_a_batch_of_twenty_costs_the_same_queries_at_two_data_sizes():
    """20 coordinator deliveries (daily and weekly, so the periods differ), built on the benchmark set and again
    on eleven times as much. The 16 queries:
     1. who of the batch still coordinates which of its communities
     2. memberships requested or invited, with the person      3. open email invitations
     4. membership events of the periods, with the person
     5. occurrences held in the periods or in the next 14 days, with the activity and going/waitlist/attended
     6. unanswered visible discussions, with the author          7. open reports on visible posts
     8. resources published in the periods                       9. "I applied this" stories, with resource and person
    10-12. health: members by level and role, active members, org units (insights.figures.member_figures)
    13-16. health: the trailing windows (84 days for the rhythm, 90 for the rest) in one pass of 4 queries
    (insights.figures.windows_figures). (A transforming community in the batch adds one for its reframing
    stories; a stewarding one widens the pass to 180 days: the count depends on the stages in the batch, never on its size or the data's.)"""
    state: dict = {}

    def grow(scale: int) -> None:
        seed_scaled(scale)
        _report_some(scale)
        if "ids" not in state:
            state["ids"] = list(
                Community.objects.filter(slug__startswith="bench-")
                .order_by("pk")
                .values_list("pk", flat=True)[:3]
            )
            _coordinate_twenty(state["ids"])
        deliveries_plan(KIND, community_ids=state["ids"], force=True)
        state["batch"] = list(
            Delivery.objects.filter(kind=KIND, community_id__in=state["ids"])
            .select_related("recipient__profile", "community")
            .order_by("pk")
        )

    def run() -> None:
        state["mails"] = coordinator.build(state["batch"])

    count = assert_constant_function_queries(run, grow=grow, expected=16)
    assert count == 16 and len(state["batch"]) == 20
    assert {d.period[-3:-2] for d in state["batch"]} == {"W", "-"}  # weekly and daily periods in one batch
    assert sum(mail is not None for mail in state["mails"].values()) >= 10

"""The member digest: who may get it, what it tells each member (and what never), when it is not sent, its
periods and frequencies, the real mail over SMTP, and a constant number of queries per batch."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from activities.models import Activity, Discussion, Follow, Occurrence, Reply, Rsvp
from communities.models import Membership
from core.unsubscribe import read_unsubscribe_token
from insights.deliveries import Mail, deliveries_plan, deliveries_send
from insights.digests import member as digest
from insights.models import Delivery
from members.models import NotificationPreference, Profile
from repertoire.models import Resource
from tests.benchdata import seed_scaled
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.querycount import assert_constant_function_queries

# Monday 30 November 2026, 09:00 UTC (10:00 in Berlin): last week is 2026-W48, yesterday 2026-11-29.
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
KIND = "member_digest"


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


LONG_AGO = at(1, 9)  # when activities were scheduled, unless a test says otherwise
# Mia's periods, Berlin midnights in UTC: 2026-W48 and Sunday 29 November.
WEEK_START, DAY_START, PERIOD_END = at(22, 23), at(28, 23), at(29, 23)


@contextmanager
def clock(moment: datetime = NOW):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def discussion(community, author, title, created_at, **extra) -> Discussion:
    return Discussion.objects.create(
        community=community,
        author=author,
        title=title,
        body="What do you think?",
        created_at=created_at,
        last_activity_at=created_at,
        **extra,
    )


def reply(to: Discussion, author, created_at, **extra) -> Reply:
    return Reply.objects.create(
        discussion=to, author=author, body="We tried it.", created_at=created_at, **extra
    )


def resource(community, creator, title, published_at, *, authors=(), status="published") -> Resource:
    added = published_at - timedelta(hours=1)
    made = Resource.objects.create(
        community=community,
        title=title,
        kind="practice",
        created_by=creator,
        created_at=added,
        updated_at=added,
        status=status,
        published_at=published_at if status == "published" else None,
    )
    made.authors.set(authors or [creator])
    return made


def occurrence(community, title, start, *, scheduled=LONG_AGO, cancelled=False) -> Occurrence:
    activity = Activity.objects.create(community=community, title=title, time_zone="Europe/Berlin")
    Activity.objects.filter(pk=activity.pk).update(created_at=scheduled)
    return Occurrence.objects.create(
        activity=activity,
        community=community,
        sequence=1,
        original_start=start,
        start=start,
        end=start + timedelta(hours=1),
        cancelled=cancelled,
    )


def with_zone(user, zone: str):
    Profile.objects.filter(user=user).update(time_zone=zone)
    return user


@pytest.fixture
def world(db):
    """Mia (Berlin) belongs to Guild (listed), Vault (private) and Attic (archived); she left Former and was never
    in Elsewhere. Ann and Bob post everywhere; some posts are hidden, deleted, drafts or Mia's own."""
    with clock():
        mia = with_zone(UserFactory(full_name="Mia Member", email="mia@example.org"), "Europe/Berlin")
        ann = UserFactory(full_name="Ann Author")
        bob = UserFactory(full_name="Bob Builder")
        guild = CommunityFactory(name="Guild")
        vault = CommunityFactory(name="Vault", visibility="private", join_policy="invitation")
        attic = CommunityFactory(name="Attic", archived_at=at(1, 0))
        former = CommunityFactory(name="Former")
        elsewhere = CommunityFactory(name="Elsewhere")
        for community in (guild, vault, attic, former, elsewhere):
            MembershipFactory(community=community, user=ann)
            MembershipFactory(community=community, user=bob)
        for community in (guild, vault, attic):
            MembershipFactory(community=community, user=mia)
        MembershipFactory(community=former, user=mia, status="left")

        # Discussions (W48 in Berlin is 22 Nov 23:00 UTC to 29 Nov 23:00 UTC).
        shown = {
            "monday": discussion(guild, ann, "Release trains at 00:30 on Monday", at(22, 23, 30)),
            "tuesday": discussion(guild, ann, "Flaky test budget", at(24, 10)),
            "sunday": discussion(vault, bob, "Secret rotation runbook", at(29, 12)),
        }
        discussion(guild, mia, "Mia asks about canaries", at(25, 9))  # her own
        discussion(guild, ann, "Hidden rant", at(25, 10), hidden_at=at(25, 11))
        discussion(guild, ann, "Deleted question", at(25, 12), deleted_at=at(25, 13))
        discussion(attic, ann, "Old attic question", at(26, 10))  # archived community
        discussion(elsewhere, ann, "Elsewhere question", at(26, 11))  # not her community
        discussion(former, ann, "Former question", at(26, 12))  # she left
        discussion(
            guild, ann, "Monday morning in Berlin", at(29, 23, 30)
        )  # 30 Nov 00:30 in Berlin: next period
        discussion(guild, ann, "Two weeks ago", at(16, 10))

        # Resources.
        resource(guild, ann, "Trunk-based development primer", at(25, 14))
        resource(vault, bob, "Vault access checklist", at(29, 8))
        resource(guild, ann, "Unfinished draft", at(25, 15), status="draft")
        resource(guild, ann, "Written with Mia", at(26, 9), authors=[ann, mia])
        resource(guild, mia, "Mia's own template", at(26, 10))
        resource(attic, ann, "Attic resource", at(26, 11))
        resource(elsewhere, ann, "Elsewhere resource", at(26, 12))

        # Replies to discussions Mia follows.
        followed = discussion(guild, mia, "How do you run retros?", at(2, 9))
        Follow.objects.create(discussion=followed, user=mia)
        reply(followed, ann, at(26, 8))
        reply(followed, bob, at(26, 9), hidden_at=at(26, 10))
        reply(followed, ann, at(27, 9), deleted_at=at(27, 10))
        reply(followed, mia, at(28, 9))  # her own
        reply(followed, bob, at(29, 15))
        reply(followed, ann, at(21, 9))  # before the period
        hidden_thread = discussion(guild, ann, "Hidden thread", at(3, 9), hidden_at=at(4, 9))
        Follow.objects.create(discussion=hidden_thread, user=mia)
        reply(hidden_thread, bob, at(26, 9))
        left_thread = discussion(former, ann, "Former thread", at(3, 9))
        Follow.objects.create(discussion=left_thread, user=mia)
        reply(left_thread, bob, at(26, 9))

        # Upcoming dates (now is 30 Nov 09:00 UTC).
        retro = occurrence(guild, "Monthly retro", at(2, 17, month=12))
        Rsvp.objects.create(occurrence=retro, user=mia, answer="going", answered_at=at(25, 9))
        occurrence(vault, "Key ceremony", at(10, 12, month=12))  # unanswered, within the fortnight only
        occurrence(guild, "Cancelled demo", at(3, 12, month=12), cancelled=True)
        occurrence(attic, "Attic meetup", at(3, 12, month=12))
        occurrence(guild, "Earlier this morning", at(30, 8))
        occurrence(guild, "Far ahead", at(20, 12, month=12))
    return {"mia": mia, "ann": ann, "bob": bob, "guild": guild, "vault": vault, "shown": shown}


def weekly(user, *, start=WEEK_START, end=PERIOD_END, period="2026-W48") -> Delivery:
    return Delivery.objects.create(
        recipient=user, kind=KIND, period=period, period_start=start, period_end=end
    )


def daily(user, *, start=DAY_START, end=PERIOD_END, period="2026-11-29") -> Delivery:
    return weekly(user, start=start, end=end, period=period)


def built(*deliveries: Delivery) -> dict[int, Mail | None]:
    with clock():
        return digest.build(list(deliveries))


def rendered(mail: Mail, recipient) -> tuple[str, str, str]:
    """The subject, text and HTML as send_templated_mail renders them (without sending)."""
    context = {
        **mail.context,
        "recipient": recipient,
        "unsubscribe_url": "https://example.org/stop",
        "SITE_URL": settings.SITE_URL,
        "SITE_NAME": settings.SITE_NAME,
    }
    subject, text, html = (
        render_to_string(f"mail/{mail.template}_{part}", context)
        for part in ("subject.txt", "body.txt", "body.html")
    )
    return " ".join(subject.split()), text, html


def titles(mail: Mail) -> dict[str, list[str]]:
    return {section.key: [item.title for item in section.items] for section in mail.context["sections"]}


# --- Candidates -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_candidates_are_active_members_of_communities_that_are_not_archived(world):
    only_archived = UserFactory()
    MembershipFactory(community=CommunityFactory(archived_at=NOW), user=only_archived)
    requested = UserFactory()
    MembershipFactory(community=world["guild"], user=requested, status="requested")
    gone = UserFactory(is_active=False)
    MembershipFactory(community=world["guild"], user=gone)

    everyone = digest.candidates(None)
    assert everyone == sorted({(world[name].pk, None) for name in ("mia", "ann", "bob")})
    assert digest.candidates([world["vault"].pk]) == sorted(
        {(world[n].pk, None) for n in ("mia", "ann", "bob")}
    )
    assert digest.candidates([]) == []


# --- What a digest tells ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_weekly_digest_lists_what_is_new_in_her_communities_and_nothing_hidden(world):
    delivery = weekly(world["mia"])
    mail = built(delivery)[delivery.pk]
    assert mail.template == "insights/member_digest"
    assert titles(mail) == {
        "discussions": [
            "Secret rotation runbook",
            "Flaky test budget",
            "Release trains at 00:30 on Monday",
        ],
        "replies": ["How do you run retros?"],
        "resources": ["Vault access checklist", "Trunk-based development primer"],
        "activities": ["Monthly retro", "Key ceremony"],
    }
    sections = {section.key: section for section in mail.context["sections"]}
    followed = sections["replies"].items[0]
    assert followed.count == 2 and followed.detail == "2 new replies from Ann Author, Bob Builder"
    first_new = Reply.objects.get(discussion__title="How do you run retros?", created_at=at(26, 8))
    assert followed.url.endswith(f"#reply-{first_new.pk}")
    assert [(item.status, item.needs_answer) for item in sections["activities"].items] == [
        ("Going", False),
        ("Not answered yet", True),
    ]
    sunday = world["shown"]["sunday"]
    assert sections["discussions"].items[0].url == f"/c/{world['vault'].slug}/discussions/{sunday.pk}/"
    assert sections["discussions"].items[0].detail == "started by Bob Builder"
    assert sections["resources"].items[1].detail == "Practice or how-to, by Ann Author"
    assert mail.context["summary"] == [
        "3 new discussions",
        "2 replies to discussions you follow",
        "2 new resources",
        "1 upcoming activity to answer",
    ]
    assert mail.context["time_zone"] == "Europe/Berlin"
    assert (mail.context["first_day"].isoformat(), mail.context["last_day"].isoformat()) == (
        "2026-11-23",
        "2026-11-29",
    )
    assert mail.context["communities"] == ["Guild", "Vault"]  # not the archived Attic


@pytest.mark.django_db
def test_a_daily_digest_covers_yesterday_and_looks_a_week_ahead(world):
    delivery = daily(world["mia"])
    mail = built(delivery)[delivery.pk]
    assert titles(mail) == {
        "discussions": ["Secret rotation runbook"],
        "replies": ["How do you run retros?"],
        "resources": ["Vault access checklist"],
        "activities": ["Monthly retro"],  # the Key ceremony (10 December) is beyond seven days
    }
    assert mail.context["summary"] == [
        "1 new discussion",
        "1 reply to discussions you follow",
        "1 new resource",
    ]
    assert [s.heading for s in mail.context["sections"]][-1] == "Coming up in the next 7 days"
    subject, text, html = rendered(mail, world["mia"])
    assert (
        subject
        == "Yesterday in your communities: 1 new discussion, 1 reply to discussions you follow, 1 new resource"
    )
    for body in (text, html):
        assert "On Sunday 29 November 2026" in body and "get the member digest daily" in body


@pytest.mark.django_db
def test_nothing_new_means_no_mail(world):
    quiet = UserFactory()
    MembershipFactory(community=CommunityFactory(name="Quiet"), user=quiet)
    nobody_home = UserFactory()  # no community at all
    answered = UserFactory()
    sleepy = CommunityFactory(name="Sleepy")
    MembershipFactory(community=sleepy, user=answered)
    with clock():
        meeting = occurrence(sleepy, "Answered meeting", at(3, 12, month=12))
    Rsvp.objects.create(occurrence=meeting, user=answered, answer="not_going", answered_at=at(25, 9))
    rows = [weekly(quiet), weekly(nobody_home), weekly(answered)]
    mails = built(*rows)
    assert mails == {row.pk: None for row in rows}


@pytest.mark.django_db
def test_an_unanswered_date_alone_is_news_only_when_new_since_the_last_digest(world):
    """Listed whenever the digest goes, but alone it sends one only if scheduled in the period or just come
    within the horizon; otherwise a daily digest would repeat the same meeting every day."""
    rita = with_zone(UserFactory(), "UTC")
    calm = CommunityFactory(name="Calm")
    MembershipFactory(community=calm, user=rita)
    with clock():
        old_news = occurrence(calm, "Known for weeks", at(3, 12, month=12), scheduled=at(1, 9))
    yesterday = daily(rita, start=at(29, 0), end=at(30, 0))
    assert built(yesterday)[yesterday.pk] is None  # it was already within last digest's week ahead

    Activity.objects.filter(pk=old_news.activity_id).update(created_at=at(29, 16))  # scheduled yesterday
    mail = built(yesterday)[yesterday.pk]
    assert titles(mail) == {"activities": ["Known for weeks"]}
    assert mail.context["summary"] == ["1 upcoming activity to answer"]

    Activity.objects.filter(pk=old_news.activity_id).update(created_at=at(1, 9))
    with clock():
        occurrence(calm, "Just within a week", at(6, 12, month=12), scheduled=at(1, 9))
    assert titles(built(yesterday)[yesterday.pk]) == {"activities": ["Known for weeks", "Just within a week"]}


@pytest.mark.django_db
def test_sections_list_ten_items_five_per_community_and_count_the_rest(world):
    busy = UserFactory()
    north, south = CommunityFactory(name="North"), CommunityFactory(name="South")
    for community in (north, south):
        MembershipFactory(community=community, user=busy)
        for n in range(7):
            discussion(community, world["ann"], f"{community.name} {n}", at(25, 9 + n))
    delivery = weekly(busy)
    section = built(delivery)[delivery.pk].context["sections"][0]
    # Newest first; the two communities' discussions were started at the same times (North listed first).
    assert [item.title for item in section.items] == [
        f"{c} {n}" for n in (6, 5, 4, 3, 2) for c in ("North", "South")
    ]
    assert [(m.community, m.count, m.url) for m in section.more] == [
        ("North", 2, f"/c/{north.slug}/discussions/"),
        ("South", 2, f"/c/{south.slug}/discussions/"),
    ]
    assert section.total == 14
    _, text, html = rendered(built(delivery)[delivery.pk], busy)
    assert f"... and 2 more in North: {settings.SITE_URL}/c/{north.slug}/discussions/" in text
    assert f'And 2 more in <a href="{settings.SITE_URL}/c/{south.slug}/discussions/"' in html


@pytest.mark.django_db
def test_a_follower_who_left_a_private_community_hears_nothing_of_it(world):
    vault = world["vault"]
    secret = discussion(vault, world["ann"], "Vault thread", at(2, 9))
    Follow.objects.create(discussion=secret, user=world["mia"])
    reply(secret, world["bob"], at(26, 9))
    delivery = weekly(world["mia"])
    assert "Vault thread" in titles(built(delivery)[delivery.pk])["replies"]

    Membership.objects.filter(community=vault, user=world["mia"]).update(status="left")
    mail = built(delivery)[delivery.pk]
    assert "Vault" not in mail.context["communities"]
    assert all(item.community != "Vault" for section in mail.context["sections"] for item in section.items)


# --- Planning: frequencies and periods ----------------------------------------------------------------------


@pytest.mark.django_db
def test_planning_follows_each_members_frequency(world):
    NotificationPreference.objects.create(user=world["mia"], kind=KIND, frequency="daily")
    NotificationPreference.objects.create(user=world["bob"], kind=KIND, frequency="off")
    with clock():
        deliveries_plan(KIND, now=NOW, force=True)
    planned = {row.recipient_id: row for row in Delivery.objects.filter(kind=KIND)}
    assert set(planned) == {world["mia"].pk, world["ann"].pk}  # Bob turned it off
    mia, ann = planned[world["mia"].pk], planned[world["ann"].pk]
    # Mia chose daily (Berlin midnights); Ann has no preference row: weekly by default (UTC midnights).
    assert (mia.period, mia.period_start, mia.period_end, mia.scope) == (
        "2026-11-29",
        at(28, 23),
        at(29, 23),
        "",
    )
    assert (ann.period, ann.period_start, ann.period_end) == ("2026-W48", at(23, 0), at(30, 0))

    mails = built(mia, ann)  # one batch mixing a day and a week: each gets only their own period
    assert titles(mails[mia.pk]) == {
        "discussions": ["Secret rotation runbook"],
        "replies": ["How do you run retros?"],
        "resources": ["Vault access checklist"],
        "activities": ["Monthly retro"],
    }
    assert mails[mia.pk].context["summary"][1] == "1 reply to discussions you follow"
    # Ann wrote most of it; Bob's Vault discussion and resource are new to her.
    assert titles(mails[ann.pk]) == {
        "discussions": ["Secret rotation runbook", "Mia asks about canaries"],
        "resources": ["Vault access checklist", "Mia's own template"],
        "activities": ["Monthly retro", "Key ceremony"],
    }


@pytest.mark.django_db
def test_a_new_member_without_a_preference_gets_the_weekly_digest(world):
    newcomer = UserFactory()
    MembershipFactory(community=world["guild"], user=newcomer)
    assert not NotificationPreference.objects.filter(user=newcomer).exists()
    with clock():
        deliveries_plan(KIND, now=NOW, force=True)
    row = Delivery.objects.get(kind=KIND, recipient=newcomer)
    assert row.period == "2026-W48"
    # Weeks in UTC for them: Ann's 23:30 Sunday discussion is in (it was Monday in Berlin, out for Mia).
    assert titles(built(row)[row.pk])["discussions"] == [
        "Monday morning in Berlin",
        "Mia asks about canaries",
        "Flaky test budget",
    ]


# --- The real mail ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_mail_goes_out_over_smtp_and_a_member_with_nothing_new_gets_none(world, smtp_server):
    quiet = UserFactory(email="quiet@example.org")
    MembershipFactory(community=CommunityFactory(name="Quiet"), user=quiet)
    for name in ("ann", "bob"):
        NotificationPreference.objects.create(user=world[name], kind=KIND, frequency="off")
    with clock():
        ids = deliveries_plan(KIND, now=NOW, force=True)
        result = deliveries_send(ids, token="t")
    assert (result.sent, result.skipped, result.failed) == (1, 1, 0)
    statuses = dict(Delivery.objects.filter(kind=KIND).values_list("recipient__email", "status"))
    assert statuses == {"mia@example.org": "sent", "quiet@example.org": "skipped"}
    assert smtp_server.to("quiet@example.org") == []

    [message] = smtp_server.wait_for("mia@example.org")
    assert message["Subject"] == (
        "[CoPsite] Last week in your communities: 3 new discussions, 2 replies to discussions you follow, "
        "2 new resources, 1 upcoming activity to answer"
    )
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    token = unsubscribe.rstrip("/").rsplit("/", 1)[1]
    assert unsubscribe.startswith(f"{settings.SITE_URL}/members/unsubscribe/")
    assert read_unsubscribe_token(token) == (world["mia"].pk, KIND)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    sunday = world["shown"]["sunday"]
    link = f"{settings.SITE_URL}/c/{world['vault'].slug}/discussions/{sunday.pk}/"
    for body in (text, html):
        assert "Secret rotation runbook" in body and "Flaky test budget" in body
        assert "Hidden rant" not in body and "Unfinished draft" not in body and "Attic" not in body
        assert "Mia asks about canaries" not in body and "Elsewhere" not in body
        assert "From Monday 23 November to Sunday 29 November 2026" in body
        assert "Wednesday 2 December, 18:00 CET" in body  # 17:00 UTC, in Mia's Berlin time
        assert "2 new replies from Ann Author, Bob Builder" in body
        assert unsubscribe in body and "/members/me/notifications/" in body
    assert link in text and f'href="{link}"' in html
    assert "Stop the member digest in one click" in text
    assert "get the member digest weekly" in text


# --- Queries per batch ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_batch_costs_five_queries_whatever_the_data_size():
    """A batch of 50 members' deliveries, built on the benchmark set and again on eleven times as much.

    The five queries: (1) the batch's active memberships in communities not archived, with time zones;
    (2) visible discussions started in those communities in the periods; (3) published resources with their
    authors; (4) upcoming dates with the batch's RSVPs (a filtered join); (5) visible replies in visible
    discussions the batch follows."""
    state: dict[str, list[Delivery]] = {}
    outcome: dict[str, dict] = {}

    def grow(scale: int) -> None:
        seed_scaled(scale)
        if "rows" not in state:
            deliveries_plan(KIND, force=True)
            state["rows"] = list(
                Delivery.objects.filter(kind=KIND).select_related("recipient__profile").order_by("pk")[:50]
            )

    def run() -> None:
        outcome["mails"] = digest.build(state["rows"])

    assert assert_constant_function_queries(run, grow=grow, expected=5) == 5
    assert len(state["rows"]) == 50
    assert any(mail is not None for mail in outcome["mails"].values())  # the batch had something to tell

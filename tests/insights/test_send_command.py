"""manage.py send_digests: sends a kind now (to one community's recipients or everyone's), once per period, in
batches; a dry run prints and stores nothing; unknown kinds and slugs and a failing SMTP server are clear errors."""

import re
from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from activities.models import Discussion
from insights.deliveries import due_period
from insights.models import Delivery
from members.notifications import Frequency
from tests.factories import CommunityFactory, SponsorshipFactory, UserFactory, coordinator_of, member_of
from tests.fixtures.services import free_port

pytestmark = pytest.mark.django_db


def send(*args: str) -> str:
    out = StringIO()
    call_command("send_digests", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def people() -> dict[str, dict[str, object]]:
    """Two communities, each with a coordinator, a member, a sponsor, and a discussion an outsider started
    last week (news for the member digest and an unanswered discussion for the coordinator)."""
    week = due_period(Frequency.WEEKLY, timezone.localtime(timezone.now(), ZoneInfo("UTC")).replace(hour=23))
    outsider = UserFactory(full_name="Olga Outsider")
    found = {}
    for slug in ("guild", "circle"):
        community = CommunityFactory(name=slug.title(), slug=slug)
        found[slug] = {
            "coordinator": coordinator_of(
                community, user=UserFactory(email=f"coordinator@{slug}.example.org")
            ),
            "member": member_of(community, user=UserFactory(email=f"member@{slug}.example.org")),
            "sponsor": SponsorshipFactory(
                community=community, sponsor=UserFactory(email=f"sponsor@{slug}.example.org")
            ).sponsor,
        }
        moment = week.start + timedelta(hours=30)
        Discussion.objects.create(
            community=community,
            author=outsider,
            title=f"News in {community.name}",
            body="Anyone?",
            created_at=moment,
            last_activity_at=moment,
        )
    return found


def addresses(mailbox) -> list[str]:
    return sorted(message["To"] for message in mailbox.messages)


@pytest.mark.parametrize(
    ("kind", "roles"),
    [
        ("coordinator_digest", ["coordinator"]),
        ("sponsor_report", ["sponsor"]),
        ("member_digest", ["coordinator", "member"]),
    ],
)
def test_one_communitys_recipients_get_the_kind_now(people, smtp_server, kind, roles):
    out = send("--kind", kind, "--community", "guild")
    expected = sorted(people["guild"][role].email for role in roles)
    assert addresses(smtp_server) == expected
    assert f"{kind}: {len(expected)} sent, 0 with nothing new, 0 refused." in out
    assert sorted(Delivery.objects.values_list("recipient__email", "kind", "status")) == [
        (address, kind, "sent") for address in expected
    ]


def test_without_a_community_everyone_gets_it(people, smtp_server):
    send("--kind", "member_digest")
    assert addresses(smtp_server) == sorted(
        people[slug][role].email for slug in ("guild", "circle") for role in ("coordinator", "member")
    )
    [mail] = smtp_server.to("member@circle.example.org")
    assert "News in Circle" in mail.get_body(("plain",)).get_content()


def test_running_it_again_sends_nothing_twice(people, smtp_server):
    send("--kind", "member_digest", "--community", "guild")
    out = send("--kind", "member_digest", "--community", "guild")
    assert "Nothing to send: every member_digest of the current period has gone out already." in out
    assert len(smtp_server.messages) == 2


def test_nothing_new_is_not_sent(people, smtp_server):
    Discussion.objects.filter(community__slug="guild").delete()
    out = send("--kind", "member_digest", "--community", "guild")
    assert "member_digest: 0 sent, 2 with nothing new, 0 refused." in out
    assert smtp_server.messages == []


def test_a_dry_run_prints_what_it_would_send_and_leaves_no_trace(people, smtp_server):
    Discussion.objects.filter(community__slug="circle").delete()
    out = send("--kind", "member_digest", "--dry-run")
    lines = out.splitlines()
    period = due_period(
        Frequency.WEEKLY, timezone.localtime(timezone.now(), ZoneInfo("UTC")).replace(hour=23)
    )
    assert (
        f"member_digest {period.key} to member@guild.example.org: would send insights/member_digest" in lines
    )
    assert f"member_digest {period.key} to member@circle.example.org: nothing new: would skip" in lines
    assert lines[-1] == "Dry run: 2 would be sent, 2 have nothing new; nothing was sent or stored."
    assert smtp_server.messages == []
    assert Delivery.objects.count() == 0
    # The real run afterwards sends what the dry run announced.
    send("--kind", "member_digest")
    assert addresses(smtp_server) == ["coordinator@guild.example.org", "member@guild.example.org"]


def test_an_unknown_kind_or_community_is_a_clear_error(people):
    kinds = "coordinator_digest, member_digest, sponsor_report"
    with pytest.raises(
        CommandError, match=re.escape(f"--kind weekly_news: unknown kind; use one of {kinds}.")
    ):
        send("--kind", "weekly_news")
    with pytest.raises(CommandError, match=re.escape("--community nowhere: no community has this slug.")):
        send("--kind", "member_digest", "--community", "nowhere")
    assert Delivery.objects.count() == 0


def test_a_failing_smtp_server_is_an_error_and_leaves_the_rows_pending(people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    with pytest.raises(CommandError, match=r"0 sent.*The SMTP server failed; 2 left pending"):
        send("--kind", "member_digest", "--community", "guild")
    assert set(Delivery.objects.values_list("status", flat=True)) == {"pending"}

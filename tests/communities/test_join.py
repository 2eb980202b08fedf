"""Joining and one's own membership: join an open community, ask to join, answer an invitation, change one's
level, leave; the status block that offers these actions, with htmx and without JavaScript."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Membership, MembershipEvent, Participation
from members.models import NotificationPreference
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, coordinator_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, community) -> str:
    return reverse(f"communities:{name}", args=[community.slug])


def membership_of(user, community) -> Membership | None:
    return Membership.objects.filter(user=user, community=community).first()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# --- Join ------------------------------------------------------------------------------------------------


def test_join_open_community_at_the_chosen_level(member_client, member):
    """Joining is immediate, at the level chosen; history and the participation ledger record it."""
    community = CommunityFactory(join_policy="open")
    response = member_client.post(url("join", community), {"level": "active"})
    assert response.status_code == 302
    assert response.url == community.get_absolute_url()
    membership = membership_of(member, community)
    assert (membership.status, membership.level, membership.role) == ("active", "active", "member")
    assert MembershipEvent.objects.filter(community=community, user=member, kind="joined").exists()
    assert Participation.objects.filter(community=community, user=member, kind="joined").count() == 1
    assert any("Welcome to" in m for m in messages_of(response))


def test_join_default_level_is_peripheral_and_next_brings_back(member_client, member):
    community = CommunityFactory()
    form = member_client.get(reverse("communities:home", args=[community.slug]))
    assert '<option value="peripheral" selected>' in form.text
    response = member_client.post(url("join", community), {"level": "peripheral", "next": "/c/?topic=x"})
    assert response.url == "/c/?topic=x"
    assert membership_of(member, community).level == "peripheral"


def test_join_ignores_a_next_that_leaves_the_site(member_client):
    community = CommunityFactory()
    response = member_client.post(
        url("join", community), {"level": "active", "next": "https://evil.example/"}
    )
    assert response.url == community.get_absolute_url()


def test_join_with_htmx_swaps_the_status_block_and_announces(member_client, member):
    """htmx gets the status block (the same template the pages include) and the live-region announcement."""
    community = CommunityFactory()
    response = member_client.post(
        url("join", community), {"level": "occasional", "in_header": "1", "next": "/c/"}, **HTMX
    )
    assert response.status_code == 200
    text = response.text
    assert 'class="membership-status in-header"' in text
    assert 'data-hx-swap-oob="innerHTML:#live-region"' in text
    assert f"Welcome to {community.name}!" in text
    assert "You are a member" in text and "Occasional" in text
    assert reverse("communities:leave", args=[community.slug]) in text  # the header variant offers Leave
    assert 'value="/c/"' in text  # the next forms still come back to the page it came from
    assert membership_of(member, community).level == "occasional"
    assert not messages_of(response)  # no flash message waiting for the next page


def test_join_private_open_community_with_htmx_reloads_the_page(member_client, member):
    """Joining a private community reveals its content, so the page reloads rather than swapping one block."""
    community = CommunityFactory(visibility="private")
    response = member_client.post(url("join", community), {"level": "active"}, **HTMX)
    assert response.headers["HX-Refresh"] == "true"
    assert membership_of(member, community).is_active


def test_join_twice_says_so_and_changes_nothing(member_client, member):
    community = CommunityFactory()
    MembershipFactory(community=community, user=member, level="active")
    response = member_client.post(url("join", community), {"level": "transactional"}, **HTMX)
    assert f"You are already a member of {community.name}." in response.text
    assert "Not done" in response.text
    assert membership_of(member, community).level == "active"
    assert Membership.objects.filter(community=community, user=member).count() == 1


def test_join_refuses_the_core_group_and_unknown_levels(member_client, member):
    """Joining the core group is the coordinators' call; a made-up level is refused too."""
    community = CommunityFactory()
    for level in ("core", "boss", ""):
        response = member_client.post(url("join", community), {"level": level})
        assert response.status_code == 302
        assert membership_of(member, community) is None
    assert any("valid choice" in m or "required" in m for m in messages_of(response))


def test_join_a_community_that_is_not_open_is_refused(member_client, member):
    for policy in ("approval", "invitation"):
        community = CommunityFactory(join_policy=policy)
        response = member_client.post(url("join", community), {"level": "active"})
        assert any("is not open" in m for m in messages_of(response))
        assert membership_of(member, community) is None


def test_join_an_archived_community_is_refused(member_client, member):
    community = CommunityFactory(archived_at=timezone.now())
    response = member_client.post(url("join", community), {"level": "active"})
    assert any("archived" in m for m in messages_of(response))
    assert membership_of(member, community) is None


def test_join_wrong_method_unknown_community_and_anonymous(client, member_client):
    community = CommunityFactory()
    assert member_client.get(url("join", community)).status_code == 405
    assert (
        member_client.post(reverse("communities:join", args=["no-such"]), {"level": "active"}).status_code
        == 404
    )
    client.logout()
    response = client.post(url("join", community), {"level": "active"})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_former_member_can_join_again(member_client, member):
    community = CommunityFactory()
    MembershipFactory(community=community, user=member, status="left", level="active")
    member_client.post(url("join", community), {"level": "occasional"})
    membership = membership_of(member, community)
    assert (membership.status, membership.level) == ("active", "occasional")


# --- Request to join -------------------------------------------------------------------------------------


def test_request_page_shows_the_form(member_client):
    community = CommunityFactory(join_policy="approval")
    response = member_client.get(url("request", community))
    assert response.status_code == 200
    assert f"Ask to join {community.name}" in response.text
    assert 'name="message"' in response.text and 'name="level"' in response.text


def test_request_to_join_then_approve_mails_coordinator_and_requester(
    client, member, django_capture_on_commit_callbacks, smtp_server
):
    """The full flow over real SMTP: request → the coordinator is mailed → approve → the requester is mailed."""
    community = CommunityFactory(join_policy="approval")
    coordinator = coordinator_of(community)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("request", community), {"level": "active", "message": "I run our on-call rotation."}
        )
    assert response.status_code == 302
    membership = membership_of(member, community)
    assert (membership.status, membership.level, membership.message) == (
        "requested",
        "active",
        "I run our on-call rotation.",
    )
    [asked] = smtp_server.wait_for(coordinator.email)
    assert f"{member} asks to join {community.name}" in asked["Subject"]
    body = asked.get_body(("plain",)).get_content()
    assert "I run our on-call rotation." in body
    assert f"/c/{community.slug}/members/manage/" in body

    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("communities:decide", args=[community.slug, membership.pk]), {"decision": "approve"}
        )
    membership.refresh_from_db()
    assert membership.status == "active" and membership.decided_by == coordinator
    [approved] = smtp_server.wait_for(member.email)
    assert f"Welcome to {community.name}" in approved["Subject"]

    client.force_login(member)
    home = client.get(reverse("communities:home", args=[community.slug]))
    assert "You are a member" in home.text


def test_request_keeps_what_was_typed_when_the_message_is_too_long(member_client, member):
    community = CommunityFactory(join_policy="approval")
    response = member_client.post(url("request", community), {"level": "active", "message": "x" * 2001})
    assert response.status_code == 400
    assert "Ensure this value has at most 2000 characters" in response.text
    assert "Please correct" in response.text  # the summary at the top
    assert "x" * 2001 in response.text
    assert membership_of(member, community) is None


def test_request_to_an_open_or_invitation_community_is_refused(member_client, member):
    open_one = CommunityFactory(join_policy="open")
    page = member_client.get(url("request", open_one))
    assert "join it at once" in page.text or "anyone joins at once" in page.text
    response = member_client.post(url("request", open_one), {"level": "active"})
    assert "is open: join it directly" in response.text
    invitation_only = CommunityFactory(join_policy="invitation")
    response = member_client.post(url("request", invitation_only), {"level": "active"})
    assert "by invitation only" in response.text
    assert not Membership.objects.filter(user=member).exists()


def test_request_twice_says_it_is_waiting(member_client, member):
    community = CommunityFactory(join_policy="approval")
    MembershipFactory(community=community, user=member, status="requested", message="first")
    page = member_client.get(url("request", community))
    assert "waiting for the coordinators" in page.text
    response = member_client.post(url("request", community), {"level": "active", "message": "second"})
    assert "is waiting for the coordinators" in response.text
    assert membership_of(member, community).message == "first"


def test_request_of_a_private_community_is_possible_for_outsiders(member_client, member):
    """A private community shows non-members only how to ask to join; asking works."""
    community = CommunityFactory(join_policy="approval", visibility="private")
    assert member_client.get(url("request", community)).status_code == 200
    member_client.post(url("request", community), {"level": "peripheral"})
    assert membership_of(member, community).status == "requested"


def test_request_wrong_method_and_unknown_community(member_client):
    community = CommunityFactory(join_policy="approval")
    assert member_client.put(url("request", community)).status_code == 405
    assert member_client.get(reverse("communities:request", args=["no-such"])).status_code == 404


def test_requesters_are_told_only_as_coordinators_chose(
    member_client, member, django_capture_on_commit_callbacks, mailoutbox
):
    """A coordinator who turned request mail off, or who left the organization, is not mailed."""
    community = CommunityFactory(join_policy="approval")
    quiet = coordinator_of(community)
    NotificationPreference.objects.create(user=quiet, kind="membership_requests", frequency="off")
    gone = coordinator_of(community)
    gone.is_active = False
    gone.save()
    listening = coordinator_of(community)
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(url("request", community), {"level": "active"})
    assert [m.to for m in mailoutbox] == [[listening.email]]


# --- Answering an invitation -----------------------------------------------------------------------------


def invite(community, user, *, expires_in=timedelta(days=3), level="active"):
    return MembershipFactory(
        community=community,
        user=user,
        status="invited",
        level=level,
        joined_at=None,
        invitation_expires_at=timezone.now() + expires_in,
    )


def test_accepting_an_invitation_joins_at_the_level_offered(
    member_client, member, django_capture_on_commit_callbacks, mailoutbox
):
    community = CommunityFactory(join_policy="invitation")
    coordinator = coordinator_of(community)
    invite(community, member, level="occasional")
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(url("respond", community), {"answer": "accept"})
    assert response.status_code == 302
    membership = membership_of(member, community)
    assert (membership.status, membership.level) == ("active", "occasional")
    assert [m.to for m in mailoutbox] == [[coordinator.email]]
    assert "accepted the invitation" in mailoutbox[0].body


def test_declining_an_invitation_with_htmx(member_client, member):
    community = CommunityFactory(join_policy="invitation")
    coordinator_of(community)
    invite(community, member)
    response = member_client.post(url("respond", community), {"answer": "decline"}, **HTMX)
    assert response.status_code == 200
    assert f"You declined the invitation to {community.name}." in response.text
    assert "By invitation only" in response.text
    assert membership_of(member, community).status == "declined"


def test_an_expired_invitation_cannot_be_accepted(member_client, member):
    community = CommunityFactory(join_policy="invitation")
    invite(community, member, expires_in=-timedelta(hours=1))
    response = member_client.post(url("respond", community), {"answer": "accept"})
    assert any("has expired" in m for m in messages_of(response))
    assert membership_of(member, community).status == "invited"


def test_nobody_can_answer_someone_elses_invitation(member_client, member):
    """The answer is always about the viewer's own membership: another person's invitation stays as it was."""
    community = CommunityFactory(join_policy="invitation")
    invited = UserFactory()
    invite(community, invited)
    response = member_client.post(url("respond", community), {"answer": "accept"})
    assert any("You have no invitation" in m for m in messages_of(response))
    assert membership_of(invited, community).status == "invited"
    assert membership_of(member, community) is None


def test_respond_bad_answer_wrong_method_unknown_community(member_client, member):
    community = CommunityFactory(join_policy="invitation")
    invite(community, member)
    response = member_client.post(url("respond", community), {"answer": "maybe"})
    assert any("Choose Accept or Decline" in m for m in messages_of(response))
    assert membership_of(member, community).status == "invited"
    assert member_client.get(url("respond", community)).status_code == 405
    assert (
        member_client.post(reverse("communities:respond", args=["nope"]), {"answer": "accept"}).status_code
        == 404
    )


def test_answering_an_already_answered_invitation(member_client, member):
    community = CommunityFactory(join_policy="invitation")
    MembershipFactory(community=community, user=member, status="declined")
    response = member_client.post(url("respond", community), {"answer": "accept"})
    assert any("already answered" in m for m in messages_of(response))
    assert membership_of(member, community).status == "declined"


# --- My level --------------------------------------------------------------------------------------------


def test_changing_my_level(member_client, member, django_capture_on_commit_callbacks, mailoutbox):
    """A member changes their own level; the change is recorded, and nobody is mailed about their own choice."""
    community = CommunityFactory()
    MembershipFactory(community=community, user=member, level="peripheral")
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            url("my_level", community), {"level": "active", "in_header": "1"}, **HTMX
        )
    assert "Your commitment level in" in response.text and "is now active" in response.text
    assert membership_of(member, community).level == "active"
    event = MembershipEvent.objects.get(community=community, user=member, kind="level_changed")
    assert (event.from_value, event.to_value) == ("peripheral", "active")
    assert mailoutbox == []


def test_my_level_cannot_be_the_core_group(member_client, member):
    community = CommunityFactory()
    MembershipFactory(community=community, user=member, level="active")
    response = member_client.post(url("my_level", community), {"level": "core"})
    assert any("coordinators' call" in m for m in messages_of(response))
    assert membership_of(member, community).level == "active"


def test_my_level_needs_a_membership_and_a_real_level(member_client, member):
    community = CommunityFactory()
    response = member_client.post(url("my_level", community), {"level": "active"})
    assert any("You are not a member" in m for m in messages_of(response))
    MembershipFactory(community=community, user=member, level="active")
    response = member_client.post(url("my_level", community), {"level": "guru"})
    assert any("Choose one of the commitment levels" in m for m in messages_of(response))
    assert membership_of(member, community).level == "active"
    assert member_client.get(url("my_level", community)).status_code == 405
    assert (
        member_client.post(reverse("communities:my_level", args=["nope"]), {"level": "active"}).status_code
        == 404
    )


# --- Leave -----------------------------------------------------------------------------------------------


def test_leave_asks_first_then_leaves(member_client, member):
    community = CommunityFactory()
    MembershipFactory(community=community, user=member)
    page = member_client.get(url("leave", community))
    assert page.status_code == 200
    assert f"Leave {community.name}?" in page.text
    assert membership_of(member, community).is_active
    response = member_client.post(url("leave", community))
    assert response.url == community.get_absolute_url()
    assert membership_of(member, community).status == "left"
    assert MembershipEvent.objects.filter(community=community, user=member, kind="left").exists()


def test_the_last_coordinator_cannot_leave(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    client.force_login(coordinator)
    page = client.get(url("leave", community))
    assert "always keeps at least one coordinator" in page.text
    response = client.post(url("leave", community))
    assert any("last coordinator" in m for m in messages_of(response))
    assert membership_of(coordinator, community).is_coordinator


def test_leave_for_non_members_wrong_method_unknown(member_client):
    community = CommunityFactory()
    response = member_client.post(url("leave", community))
    assert response.status_code == 302
    assert any("You are not a member" in m for m in messages_of(response))
    assert member_client.put(url("leave", community)).status_code == 405
    assert member_client.get(reverse("communities:leave", args=["nope"])).status_code == 404


# --- The status block ------------------------------------------------------------------------------------


def status(community, viewer_status="", viewer_level="", **extra) -> str:
    request = RequestFactory().get("/c/")
    request.user = UserFactory.build()
    context = {"community": community, "viewer_status": viewer_status, "viewer_level": viewer_level, **extra}
    return render_to_string("communities/_status.html", context, request=request)


def test_status_block_offers_the_action_that_fits():
    open_one = CommunityFactory.build(slug="open-one", join_policy=Community.JoinPolicy.OPEN)
    approval = CommunityFactory.build(slug="asking", join_policy=Community.JoinPolicy.APPROVAL)
    invitation = CommunityFactory.build(slug="invited", join_policy=Community.JoinPolicy.INVITATION)

    join = status(open_one)
    assert 'action="/c/open-one/join/"' in join and 'data-hx-post="/c/open-one/join/"' in join
    assert 'data-hx-target="closest .membership-status"' in join and 'data-hx-swap="outerHTML"' in join
    assert '<option value="peripheral" selected>' in join and 'value="core"' not in join
    assert 'name="next" value="/c/"' in join

    assert 'href="/c/asking/request/"' in status(approval) and "Ask to join" in status(approval)
    assert "By invitation only" in status(invitation)
    assert "Request pending" in status(approval, "requested")

    invited = status(invitation, "invited", "occasional")
    assert 'value="accept"' in invited and 'value="decline"' in invited
    assert "as occasional member" in invited

    card = status(open_one, "active", "active")
    assert "level-badge level-active" in card and "Active" in card
    assert "my-level" not in card  # cards stay compact
    header = status(open_one, "active", "active", in_header=True)
    assert 'action="/c/open-one/my-level/"' in header and 'href="/c/open-one/leave/"' in header
    assert 'value="core"' not in header
    assert 'value="core"' in status(open_one, "active", "core", in_header=True)

    # Declined, left and removed people see the way in again.
    assert "/join/" in status(open_one, "left")


def test_status_block_of_an_archived_community_offers_no_action():
    archived = CommunityFactory.build(slug="old", archived_at=timezone.now())
    for viewer_status in ("", "invited", "requested"):
        html = status(archived, viewer_status)
        assert "<form" not in html and "Archived" in html
    member_view = status(archived, "active", "active", in_header=True)
    assert "<form" not in member_view and "/leave/" not in member_view
    assert "You are a member" in member_view

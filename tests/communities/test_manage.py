"""The coordinators' member management: requests, invitations, the members table, changes, removal, CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import EmailInvitation, Membership, MembershipEvent
from members.models import NotificationPreference
from tests.benchdata import seed_scaled
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    OrgUnitFactory,
    SponsorshipFactory,
    UserFactory,
    coordinator_of,
    member_of,
)
from tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db


def url(name: str, community, *args) -> str:
    return reverse(f"communities:{name}", args=[community.slug, *args])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def community():
    return CommunityFactory(join_policy="approval")


@pytest.fixture
def coordinator(community):
    return coordinator_of(community)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


# --- Who may manage --------------------------------------------------------------------------------------

VIEWS = [
    ("manage_members", "get", ()),
    ("export_members", "get", ()),
    ("invite", "post", ()),
    ("decide", "post", ("pk",)),
    ("change_level", "post", ("pk",)),
    ("change_role", "post", ("pk",)),
    ("remove", "post", ("pk",)),
]


def view_url(name, community, membership):
    return url(
        name,
        community,
        *([membership.pk] if name not in ("manage_members", "export_members", "invite") else []),
    )


@pytest.mark.parametrize(("name", "method", "_"), VIEWS)
def test_only_coordinators_manage(client, member, name, method, _):
    """Members get 403; outsiders of a private community 404; staff who do not coordinate 403; unknown 404."""
    community = CommunityFactory(visibility="private", join_policy="approval")
    coordinator_of(community)
    target = MembershipFactory(community=community, status="requested", joined_at=None)
    send = getattr(client, method)

    client.force_login(member_of(community, "core"))
    assert send(view_url(name, community, target)).status_code == 403
    client.force_login(member)
    assert send(view_url(name, community, target)).status_code == 404
    client.force_login(UserFactory(is_staff=True))
    assert send(view_url(name, community, target)).status_code == 403
    listed = CommunityFactory()
    coordinator_of(listed)
    client.force_login(member)
    assert (
        send(view_url(name, listed, target)).status_code == 403
    )  # listed: visible, but not theirs to manage
    assert Membership.objects.get(pk=target.pk).status == "requested"


@pytest.mark.parametrize(("name", "method", "_"), VIEWS)
def test_wrong_method_is_refused(coordinator_client, community, name, method, _):
    target = MembershipFactory(community=community)
    wrong = coordinator_client.post if method == "get" else coordinator_client.get
    assert wrong(view_url(name, community, target)).status_code == 405


def test_an_archived_community_is_no_longer_managed(coordinator_client, community):
    community.archived_at = timezone.now()
    community.save()
    assert coordinator_client.get(url("manage_members", community)).status_code == 403


def test_memberships_of_another_community_are_not_found(coordinator_client, community):
    other = MembershipFactory(status="requested", joined_at=None)
    for name in ("decide", "change_level", "change_role", "remove"):
        assert (
            coordinator_client.post(url(name, community, other.pk), {"decision": "approve"}).status_code
            == 404
        )
    assert Membership.objects.get(pk=other.pk).status == "requested"


# --- The page --------------------------------------------------------------------------------------------


def test_manage_page_shows_requests_invitations_and_members(coordinator_client, community, coordinator):
    requester = MembershipFactory(
        community=community, status="requested", joined_at=None, level="active", message="I'd like to help."
    ).user
    invited = MembershipFactory(
        community=community,
        status="invited",
        joined_at=None,
        invitation_expires_at=timezone.now() + timedelta(days=3),
        invited_by=coordinator,
    ).user
    stale = MembershipFactory(
        community=community,
        status="invited",
        joined_at=None,
        invitation_expires_at=timezone.now() - timedelta(days=3),
    ).user
    EmailInvitation.objects.create(
        community=community, email="new@example.org", expires_at=timezone.now() + timedelta(days=5)
    )
    EmailInvitation.objects.create(
        community=community, email="old@example.org", expires_at=timezone.now() - timedelta(days=5)
    )
    members = [member_of(community, level) for level in ("active", "occasional")]
    response = coordinator_client.get(url("manage_members", community))
    assert response.status_code == 200
    text = response.text
    assert "<strong>3</strong> members" in text
    assert "<strong>1</strong> request waiting" in text
    assert "<strong>4</strong> invitations open" in text
    assert str(requester) in text and "I&#x27;d like to help." in text
    assert url("decide", community, Membership.objects.get(user=requester).pk) in text
    assert str(invited) in text and str(stale) in text
    assert "new@example.org" in text and "old@example.org" in text
    assert text.count(">Expired</span>") == 2
    for person in members:
        assert person.email in text
    assert 'aria-current="page"' in text and ">Manage members<" in text
    assert url("export_members", community) in text
    assert "Make coordinator" in text and "Remove…" in text


def test_members_table_filters_sorts_and_paginates(coordinator_client, community, coordinator, settings):
    settings.PAGE_SIZE = 2
    unit = OrgUnitFactory(name="Logistics")
    ada = member_of(community, "active", user=UserFactory(full_name="Ada Active", org_unit=unit))
    olu = member_of(community, "occasional", user=UserFactory(full_name="Olu Occasional"))
    zed = member_of(community, "peripheral", user=UserFactory(full_name="Zed Peripheral"))

    def names(**params) -> str:
        return coordinator_client.get(url("manage_members", community), params).text

    assert ada.email in names(level="active") and olu.email not in names(level="active")
    assert coordinator.email in names(role="coordinator") and ada.email not in names(role="coordinator")
    assert ada.email in names(unit=unit.pk) and zed.email not in names(unit=unit.pk)
    assert zed.email in names(q="zed") and ada.email not in names(q="zed")
    first = names()
    assert "Page 1 of 2" in first and "page=2" in first
    # Sort links keep the filters and go back to page one.
    filtered = names(level="active", page=1)
    assert 'href="?level=active&amp;sort=level"' in filtered
    assert 'aria-sort="ascending"' in filtered
    newest = names(sort="joined")
    assert 'aria-sort="descending"' in newest
    assert "No members match these filters" in names(q="nobody-like-this")


def test_manage_page_query_count_does_not_grow(coordinator_client, community, coordinator):
    """Queries of the management page, whatever the size of the community and the site (the session is in
    Redis): 1 viewer, 2 community with "viewer sponsors" and the viewer's membership, 3 count of members,
    4 requests (with user and unit), 5 invitations of users (with inviter), 6 invitations by email (with inviter),
    7 org units of the unit filter, 8 the page of members (with user, unit, profile).
    """

    def grow(scale: int) -> None:
        seed_scaled(scale)  # the rest of the site
        for _ in range(scale):  # and this community: members, requests, invitations, sponsors
            for level in ("core", "active", "occasional", "peripheral", "transactional"):
                member_of(community, level)
            MembershipFactory(community=community, status="requested", joined_at=None, message="Hi")
            MembershipFactory(
                community=community,
                status="invited",
                joined_at=None,
                invited_by=coordinator,
                invitation_expires_at=timezone.now() + timedelta(days=3),
            )
            EmailInvitation.objects.create(
                community=community,
                email=f"guest{EmailInvitation.objects.count()}@example.org",
                invited_by=coordinator,
                expires_at=timezone.now() + timedelta(days=3),
            )
            SponsorshipFactory(community=community)

    assert_constant_queries(
        coordinator_client,
        url("manage_members", community),
        grow=grow,
        expected=8,
        exempt_tables={"communities_community"},  # read by its slug only: one row whatever the site's size
    )


# --- Export ----------------------------------------------------------------------------------------------


def test_export_members_as_csv(coordinator_client, community, coordinator):
    unit = OrgUnitFactory(name="Research")
    member_of(
        community,
        "active",
        user=UserFactory(full_name="Ada Lovelace", email="ada@example.org", org_unit=unit),
    )
    MembershipFactory(community=community, status="requested", joined_at=None)  # not a member yet
    MembershipFactory(community=community, status="left")
    response = coordinator_client.get(url("export_members", community))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="{community.slug}-members.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Name", "Email", "Org unit", "Level", "Role", "Joined"]
    assert len(rows) == 3  # header, the coordinator, Ada
    ada = next(row for row in rows if row[0] == "Ada Lovelace")
    assert ada[1:5] == ["ada@example.org", "Research", "Active", "Member"]
    assert ada[5] == timezone.now().date().isoformat()
    assert any(row[4] == "Coordinator" and row[1] == coordinator.email for row in rows)


def test_export_neutralizes_cells_a_spreadsheet_would_run(coordinator_client, community):
    """Cells starting with =, +, -, @, a tab or a carriage return get a leading quote."""
    dangerous = ['=HYPERLINK("http://x")', "+1+2", "-3", "@SUM(A1)", "\tcmd", "\rcmd"]
    for number, name in enumerate(dangerous):  # units of different names: one name per level of the tree
        unit = OrgUnitFactory(name=f"={name[1:]}unit{number}")
        member_of(community, user=UserFactory(full_name=name, org_unit=unit))
    rows = list(
        csv.reader(
            io.StringIO(coordinator_client.get(url("export_members", community)).content.decode(), newline="")
        )
    )
    names = {row[0] for row in rows[1:]}
    for name in dangerous:
        assert f"'{name}" in names
    assert sum(row[2].startswith("'=") for row in rows[1:]) == len(dangerous)
    assert not any(cell and cell[0] in "=+-@\t\r" for row in rows[1:] for cell in row)


# --- Invite ----------------------------------------------------------------------------------------------


def test_invite_reports_what_happened_to_each_address(coordinator_client, community, coordinator):
    existing = UserFactory(email="known@example.org")
    already = member_of(community, user=UserFactory(email="member@example.org"))
    response = coordinator_client.post(
        url("invite", community),
        {
            "emails": "known@example.org, new@example.org; member@example.org",
            "level": "active",
            "message": "",
        },
    )
    assert response.status_code == 302
    said = messages_of(response)
    assert any(m.startswith("known@example.org:") and "is invited" in m for m in said)
    assert any(m.startswith("new@example.org:") and "sign-up link" in m for m in said)
    assert any(m.startswith("member@example.org: not invited") and "already a member" in m for m in said)
    assert Membership.objects.get(community=community, user=existing).status == "invited"
    assert EmailInvitation.objects.filter(community=community, email="new@example.org").exists()
    assert Membership.objects.get(community=community, user=already).status == "active"


def test_invite_with_a_bad_address_keeps_what_was_typed(coordinator_client, community):
    response = coordinator_client.post(
        url("invite", community),
        {"emails": "good@example.org, not-an-address", "level": "active", "message": "Hi!"},
    )
    assert response.status_code == 400
    assert "Not an email address: not-an-address" in response.text
    assert 'value="good@example.org, not-an-address"' in response.text
    assert "Hi!" in response.text
    assert not EmailInvitation.objects.exists()
    empty = coordinator_client.post(url("invite", community), {"emails": " , ", "level": "active"})
    assert "Type at least one email address." in empty.text


# --- Decide ----------------------------------------------------------------------------------------------


@pytest.fixture
def request_(community):
    return MembershipFactory(community=community, status="requested", joined_at=None, level="occasional")


def test_approve_a_request(
    coordinator_client, community, coordinator, request_, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            url("decide", community, request_.pk), {"decision": "approve", "next": "/c/?a=1"}
        )
    assert response.url == "/c/?a=1"
    request_.refresh_from_db()
    assert (request_.status, request_.level, request_.decided_by) == ("active", "occasional", coordinator)
    assert [m.to for m in mailoutbox] == [[request_.user.email]]


def test_decline_needs_a_reason_which_the_requester_is_sent(
    coordinator_client, community, request_, django_capture_on_commit_callbacks, smtp_server
):
    response = coordinator_client.post(
        url("decide", community, request_.pk), {"decision": "decline", "reason": "  "}
    )
    assert any("Give the requester a reason" in m for m in messages_of(response))
    request_.refresh_from_db()
    assert request_.status == "requested"
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(
            url("decide", community, request_.pk),
            {"decision": "decline", "reason": "We are full until spring."},
        )
    request_.refresh_from_db()
    assert (request_.status, request_.decision_reason) == ("declined", "We are full until spring.")
    [mail] = smtp_server.wait_for(request_.user.email)
    assert "was declined" in mail["Subject"]
    assert "We are full until spring." in mail.get_body(("plain",)).get_content()
    assert "We are full until spring." in mail.get_body(("html",)).get_content()


def test_deciding_an_already_decided_request(coordinator_client, community, request_):
    coordinator_client.post(url("decide", community, request_.pk), {"decision": "approve"})
    response = coordinator_client.post(
        url("decide", community, request_.pk), {"decision": "decline", "reason": "No"}
    )
    assert any("already decided" in m for m in messages_of(response))
    request_.refresh_from_db()
    assert request_.status == "active"


def test_decide_with_a_made_up_decision(coordinator_client, community, request_):
    response = coordinator_client.post(url("decide", community, request_.pk), {"decision": "maybe"})
    assert any("valid choice" in m for m in messages_of(response))
    assert Membership.objects.get(pk=request_.pk).status == "requested"


def test_approval_mail_respects_preferences_and_departures(
    coordinator_client, community, django_capture_on_commit_callbacks, mailoutbox
):
    """Decisions mail "off" sends nothing; a deactivated requester gets nothing either."""
    quiet = MembershipFactory(community=community, status="requested", joined_at=None)
    NotificationPreference.objects.create(user=quiet.user, kind="membership_decisions", frequency="off")
    gone = MembershipFactory(community=community, status="requested", joined_at=None)
    gone.user.is_active = False
    gone.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url("decide", community, quiet.pk), {"decision": "approve"})
        coordinator_client.post(url("decide", community, gone.pk), {"decision": "decline", "reason": "Sorry"})
    assert Membership.objects.get(pk=quiet.pk).status == "active"
    assert Membership.objects.get(pk=gone.pk).status == "declined"
    assert mailoutbox == []


# --- Level, role, removal --------------------------------------------------------------------------------


def test_change_a_members_level(
    coordinator_client, community, django_capture_on_commit_callbacks, mailoutbox
):
    membership = MembershipFactory(community=community, level="peripheral")
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url("change_level", community, membership.pk), {"level": "core"})
    assert any("is now at level Core group" in m for m in messages_of(response))
    assert Membership.objects.get(pk=membership.pk).level == "core"
    [mail] = mailoutbox
    assert "core group" in mail.subject and "Welcome to the core group" in mail.body


def test_change_level_refuses_a_made_up_level(coordinator_client, community):
    membership = MembershipFactory(community=community, level="peripheral")
    response = coordinator_client.post(url("change_level", community, membership.pk), {"level": "guru"})
    assert any("Choose one of the commitment levels" in m for m in messages_of(response))
    assert Membership.objects.get(pk=membership.pk).level == "peripheral"


def test_make_coordinator_and_step_down(coordinator_client, community, coordinator):
    membership = MembershipFactory(community=community)
    coordinator_client.post(url("change_role", community, membership.pk), {"role": "coordinator"})
    assert Membership.objects.get(pk=membership.pk).role == "coordinator"
    mine = Membership.objects.get(community=community, user=coordinator)
    response = coordinator_client.post(url("change_role", community, mine.pk), {"role": "member"})
    assert any(m.endswith("is now a member.") for m in messages_of(response))
    assert Membership.objects.get(pk=mine.pk).role == "member"


def test_the_last_coordinator_cannot_be_demoted_or_removed(client, community, coordinator):
    other = coordinator_of(community)
    client.force_login(other)
    last = Membership.objects.get(community=community, user=coordinator)
    client.post(url("change_role", community, last.pk), {"role": "member"})  # fine: two coordinators
    mine = Membership.objects.get(community=community, user=other)
    response = client.post(url("change_role", community, mine.pk), {"role": "member"})
    assert any("is the last coordinator" in m for m in messages_of(response))
    assert Membership.objects.get(pk=mine.pk).role == "coordinator"
    response = client.post(url("remove", community, mine.pk), {"reason": ""})
    assert any("is the last coordinator" in m for m in messages_of(response))
    assert Membership.objects.get(pk=mine.pk).is_coordinator
    assert not MembershipEvent.objects.filter(community=community, user=other, kind="removed").exists()


def test_change_role_refuses_a_made_up_role(coordinator_client, community):
    membership = MembershipFactory(community=community)
    response = coordinator_client.post(url("change_role", community, membership.pk), {"role": "king"})
    assert any("Choose member or coordinator" in m for m in messages_of(response))
    assert Membership.objects.get(pk=membership.pk).role == "member"


def test_remove_a_member_with_a_reason(
    coordinator_client, community, django_capture_on_commit_callbacks, smtp_server
):
    membership = MembershipFactory(community=community)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            url("remove", community, membership.pk), {"reason": "You asked us to.", "next": "/c/y/?page=3"}
        )
    assert response.url == "/c/y/?page=3"
    membership.refresh_from_db()
    assert (membership.status, membership.decision_reason) == ("removed", "You asked us to.")
    [mail] = smtp_server.wait_for(membership.user.email)
    assert "no longer a member" in mail["Subject"]
    assert "You asked us to." in mail.get_body(("plain",)).get_content()


def test_withdrawing_a_users_invitation_sends_no_mail(
    coordinator_client, community, django_capture_on_commit_callbacks, mailoutbox
):
    invited = MembershipFactory(
        community=community,
        status="invited",
        joined_at=None,
        invitation_expires_at=timezone.now() + timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url("remove", community, invited.pk))
    assert any("was withdrawn" in m for m in messages_of(response))
    assert Membership.objects.get(pk=invited.pk).status == "removed"
    assert mailoutbox == []


def test_remove_someone_who_is_not_a_member(coordinator_client, community):
    former = MembershipFactory(community=community, status="left")
    response = coordinator_client.post(url("remove", community, former.pk), {"reason": "x" * 2001})
    assert any("was not removed" in m for m in messages_of(response))
    response = coordinator_client.post(url("remove", community, former.pk), {"reason": ""})
    assert any("is not a member" in m for m in messages_of(response))
    assert Membership.objects.get(pk=former.pk).status == "left"


def test_change_level_of_someone_not_yet_a_member(coordinator_client, community, request_):
    response = coordinator_client.post(url("change_level", community, request_.pk), {"level": "active"})
    assert any("Only active memberships" in m for m in messages_of(response))
    assert Membership.objects.get(pk=request_.pk).level == "occasional"

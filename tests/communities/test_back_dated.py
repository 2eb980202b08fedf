"""Communities services take `at` (demo data and tests only): history, ledger and dates are written then."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities import services
from communities.models import Community, Level, Membership, MembershipEvent, Participation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Event = MembershipEvent.Kind


def test_proposing_joining_and_changes_with_at_back_date_history_ledger_and_rows():
    founded = timezone.now() - timedelta(days=300)
    joined, promoted = founded + timedelta(days=20), founded + timedelta(days=50)
    coordinator, colleague = UserFactory(), UserFactory()
    community = services.community_propose(
        proposer=coordinator, name="Release Engineering", domain="Making releases boring.", at=founded
    )
    membership = services.membership_join(user=colleague, community=community, level=Level.ACTIVE, at=joined)
    services.membership_change_level(actor=coordinator, membership=membership, level=Level.CORE, at=promoted)
    services.membership_change_role(actor=coordinator, membership=membership, role="coordinator", at=promoted)

    assert Community.objects.get(pk=community.pk).created_at == founded
    rows = Membership.objects.filter(community=community)
    assert dict(rows.values_list("user_id", "joined_at")) == {coordinator.pk: founded, colleague.pk: joined}
    assert dict(rows.values_list("user_id", "created_at")) == {coordinator.pk: founded, colleague.pk: joined}
    history = MembershipEvent.objects.filter(community=community).order_by("at", "pk")
    assert list(history.values_list("user_id", "kind", "at")) == [
        (coordinator.pk, Event.JOINED, founded),
        (coordinator.pk, Event.ROLE_CHANGED, founded),
        (colleague.pk, Event.JOINED, joined),
        (colleague.pk, Event.LEVEL_CHANGED, promoted),
        (colleague.pk, Event.ROLE_CHANGED, promoted),
    ]
    ledger = Participation.objects.filter(community=community, kind=Participation.Kind.JOINED)
    assert dict(ledger.values_list("user_id", "at")) == {coordinator.pk: founded, colleague.pk: joined}


def test_request_and_invitation_with_at_are_dated_then_and_without_it_now():
    asked, invited = timezone.now() - timedelta(days=2), timezone.now() - timedelta(days=4)
    coordinator, requester, guest, latecomer = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    community = services.community_propose(
        proposer=coordinator, name="Lean Practitioners", domain="Removing waste.", join_policy="approval"
    )
    request = services.membership_request(user=requester, community=community, message="Hello", at=asked)
    invitation = services.membership_invite(actor=coordinator, community=community, user=guest, at=invited)
    before = timezone.now()
    services.membership_request(user=latecomer, community=community)

    assert request.created_at == asked and invitation.created_at == invited
    assert invitation.invitation_expires_at == invited + services.invitation_lifetime()
    history = MembershipEvent.objects.filter(community=community)
    assert history.get(user=requester).at == asked
    assert history.get(user=guest).at == invited
    assert history.get(user=latecomer).at >= before
    assert Membership.objects.get(community=community, user=latecomer).created_at >= before

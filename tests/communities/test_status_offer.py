"""The status block offers what the rules allow (communities.rules), on the community's header and on browse cards:
an invitation past its expiry is not offered for acceptance (the service refuses it) but the community's own way
in is, as `may_join` / `may_request` say."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Membership
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def invited(member, *, policy: str, expires_in: timedelta) -> Membership:
    community = CommunityFactory(name=f"Guild {policy}", join_policy=policy)
    return MembershipFactory(
        community=community,
        user=member,
        status=Membership.Status.INVITED,
        invitation_expires_at=timezone.now() + expires_in,
    )


@pytest.mark.parametrize("where", ["home", "browse"])
@pytest.mark.parametrize(
    ("policy", "expires_in", "offered"),
    [
        ("open", timedelta(days=3), "accept"),
        ("open", timedelta(days=-1), "join"),
        ("approval", timedelta(days=-1), "request"),
        ("invitation", timedelta(days=-1), "closed"),
    ],
)
def test_the_offer_follows_the_rules(member_client, member, where, policy, expires_in, offered):
    community = invited(member, policy=policy, expires_in=expires_in).community
    page = community.get_absolute_url() if where == "home" else reverse("communities:browse")
    text = member_client.get(page).text
    shows = {
        "accept": reverse("communities:respond", args=[community.slug]) in text,
        "join": reverse("communities:join", args=[community.slug]) in text,
        "request": reverse("communities:request", args=[community.slug]) in text,
        "closed": 'border">By invitation only</span>' in text,
    }
    assert shows == {kind: kind == offered for kind in shows}

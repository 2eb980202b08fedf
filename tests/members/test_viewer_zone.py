"""Every time a signed-in person sees is in their own zone, on every page (issue 14, item 14): before, resource
pages, revision history and membership requests showed UTC while discussions and calendars showed the zone."""

import re

import pytest
from django.urls import reverse

from members.models import Profile
from repertoire import services as repertoire_services
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, coordinator_of, member_of

pytestmark = pytest.mark.django_db

ZONE_ABBREVIATIONS = re.compile(r'title="[^"]*\d{2}:\d{2} ([A-Z+\-0-9]+)"')


def sign_in_in(client, user, zone: str) -> None:
    Profile.objects.filter(user=user).update(time_zone=zone)
    client.force_login(
        type(user).objects.get(pk=user.pk)
    )  # as signing in loads them: fresh from the database


def zones_shown(html: str) -> set[str]:
    return set(ZONE_ABBREVIATIONS.findall(html))


def test_resource_page_history_and_requests_show_the_viewers_zone(client, settings):
    settings.TIME_ZONE = "UTC"
    community = CommunityFactory(join_policy="approval")
    coordinator = coordinator_of(community)
    author = member_of(community, "active")
    resource = repertoire_services.resource_create(actor=author, community=community, title="Checklist")
    MembershipFactory(community=community, user=UserFactory(), status="requested")
    sign_in_in(client, coordinator, "Asia/Tokyo")
    for url in (
        resource.get_absolute_url(),
        reverse("repertoire:history", args=[community.slug, resource.pk]),
        reverse("communities:manage_members", args=[community.slug]),
    ):
        shown = zones_shown(client.get(url).text)
        assert shown == {"JST"}, (url, shown)


def test_changing_ones_zone_applies_at_once(client):
    community = CommunityFactory()
    author = member_of(community, "active")
    resource = repertoire_services.resource_create(actor=author, community=community, title="Checklist")
    sign_in_in(client, author, "Asia/Tokyo")
    assert zones_shown(client.get(resource.get_absolute_url()).text) == {"JST"}
    profile = client.get(reverse("members:edit_profile")).context["form"].initial
    data = {key: value for key, value in profile.items() if value is not None}
    data.update(full_name=author.full_name, time_zone="America/New_York", expertise="")
    data.setdefault("in_directory", "on")
    response = client.post(reverse("members:edit_profile"), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert zones_shown(client.get(resource.get_absolute_url()).text) <= {"EST", "EDT"}

"""Notification settings: one choice per registered kind of mail that concerns the person (coordinators' and
sponsors' kinds only for them), among the frequencies that kind allows."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from members.models import NotificationPreference
from members.notifications import MAIL_KINDS
from members.selectors import notification_choices
from members.services import notification_frequency, notification_preferences_update
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    SponsorshipFactory,
    UserFactory,
    coordinator_of,
)

pytestmark = pytest.mark.django_db

URL = reverse("members:notifications")
SPONSOR_KINDS = {"sponsor_report"}
COORDINATOR_KINDS = {"coordinator_digest", "membership_requests", "discussion_reports"}


def _data(**overrides) -> dict:
    """A full submission: every registered kind at its default, with `overrides`."""
    return {key: kind.default for key, kind in MAIL_KINDS.items()} | overrides


def _offered(html: str) -> set[str]:
    """The kinds the page offers (one fieldset each)."""
    return {key for key in MAIL_KINDS if f'<fieldset id="id_{key}"' in html}


@pytest.fixture
def coordinator(member):
    """The signed-in member coordinates a community: the coordinators' kinds concern them."""
    coordinator_of(CommunityFactory(), user=member)
    return member


@pytest.fixture
def everything(coordinator):
    """The signed-in member coordinates one community and sponsors another: every kind concerns them."""
    SponsorshipFactory(sponsor=coordinator)
    return coordinator


def test_communities_registered_their_mail_kinds():
    assert {"membership_decisions", "membership_requests"} <= set(MAIL_KINDS)


def test_notifications_require_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.post(URL, _data(membership_requests="off"))
    assert not NotificationPreference.objects.exists()


def test_notifications_reject_other_methods(member_client):
    assert member_client.put(URL).status_code == 405
    assert member_client.delete(URL).status_code == 405


def test_notifications_page_has_a_fieldset_per_kind_with_its_allowed_choices(member_client, everything):
    html = member_client.get(URL).text
    for key, kind in MAIL_KINDS.items():
        assert f'<legend class="h6 card-title">{escape(kind.label)}</legend>' in html
        assert escape(kind.help_text) in html
        for value in kind.allowed:
            assert f'name="{key}" id="id_{key}_' in html
            assert f'value="{value}"' in html
    # Decisions about one's membership come immediately or not at all: no digest is offered.
    assert 'name="membership_decisions" id="id_membership_decisions_2"' not in html
    assert html.count('type="radio"') == sum(len(kind.allowed) for kind in MAIL_KINDS.values())


def test_notifications_page_checks_the_current_choice_or_the_default(member_client, coordinator):
    NotificationPreference.objects.create(user=coordinator, kind="membership_requests", frequency="weekly")
    html = member_client.get(URL).text
    assert 'id="id_membership_requests_2" value="weekly" checked' in html
    assert 'id="id_membership_decisions_0" value="immediately" checked' in html


def test_notifications_are_saved(member_client, coordinator):
    member = coordinator
    response = member_client.post(URL, _data(membership_requests="daily", membership_decisions="off"))

    assert response.status_code == 302
    assert response["Location"] == URL
    assert notification_frequency(user=member, kind="membership_requests") == "daily"
    assert notification_frequency(user=member, kind="membership_decisions") == "off"
    page = member_client.get(URL).text
    assert "Your notification settings are saved." in page
    assert 'value="daily" checked' in page


@pytest.mark.parametrize(
    "data",
    [
        _data(membership_decisions="weekly"),  # a frequency this kind does not allow
        _data(membership_requests="hourly"),  # no such frequency
        {key: value for key, value in _data().items() if key != "membership_requests"},  # missing
    ],
)
def test_notifications_refuse_bad_values_with_a_message_and_save_nothing(member_client, coordinator, data):
    member = coordinator
    response = member_client.post(URL, data)

    assert response.status_code == 200
    assert "Your notification settings were not saved" in response.text
    assert "Please correct" in response.text
    assert not NotificationPreference.objects.filter(user=member).exists()


def test_notifications_of_one_member_do_not_touch_another(member_client, coordinator):
    other = NotificationPreference.objects.create(
        user=UserFactory(),
        kind="membership_requests",
        frequency="weekly",
    )
    member_client.post(URL, _data(membership_requests="off"))
    other.refresh_from_db()
    assert other.frequency == "weekly"


def test_notification_choices_fall_back_to_defaults_for_unknown_stored_values(member):
    """A stored frequency the kind no longer allows reads as the kind's default."""
    NotificationPreference.objects.create(user=member, kind="membership_decisions", frequency="weekly")
    assert notification_choices(user=member)["membership_decisions"] == "immediately"


def test_notification_preferences_update_refuses_unknown_kinds(member):
    with pytest.raises(ValidationError):
        notification_preferences_update(user=member, choices={"no_such_kind": "off"})
    assert not NotificationPreference.objects.exists()


def test_a_member_is_offered_neither_coordinators_nor_sponsors_kinds(member_client, member):
    """A member who coordinates and sponsors nothing sees only the kinds they can receive."""
    MembershipFactory(user=member)  # an ordinary membership
    MembershipFactory(user=member, role="coordinator", status="left")  # coordinated once, not any more
    html = member_client.get(URL).text
    assert _offered(html) == set(MAIL_KINDS) - SPONSOR_KINDS - COORDINATOR_KINDS
    assert {"member_digest", "membership_decisions", "discussion_replies"} <= _offered(html)


def test_a_coordinator_is_offered_the_coordinators_kinds_but_not_the_sponsor_report(
    member_client, coordinator
):
    assert _offered(member_client.get(URL).text) == set(MAIL_KINDS) - SPONSOR_KINDS


def test_a_sponsor_is_offered_the_sponsor_report_with_its_monthly_default(member_client, member):
    SponsorshipFactory(sponsor=member)
    html = member_client.get(URL).text
    assert _offered(html) == set(MAIL_KINDS) - COORDINATOR_KINDS
    assert 'name="sponsor_report" id="id_sponsor_report_1" value="monthly" checked' in html


def test_a_sponsor_can_choose_a_weekly_report(member_client, member):
    SponsorshipFactory(sponsor=member)
    response = member_client.post(URL, _data(sponsor_report="weekly"))
    assert response.status_code == 302
    assert notification_frequency(user=member, kind="sponsor_report") == "weekly"


def test_saving_leaves_the_kinds_not_offered_as_they_were(member_client, member):
    """Someone who stopped coordinating keeps their stored choice for coordinators' mail; what they post for a
    kind the page does not offer them is ignored."""
    NotificationPreference.objects.create(user=member, kind="membership_requests", frequency="weekly")
    response = member_client.post(
        URL, _data(membership_decisions="off", membership_requests="off", sponsor_report="off")
    )

    assert response.status_code == 302
    assert notification_frequency(user=member, kind="membership_decisions") == "off"
    assert notification_frequency(user=member, kind="membership_requests") == "weekly"
    assert not NotificationPreference.objects.filter(user=member, kind="sponsor_report").exists()


def test_a_member_need_not_send_the_kinds_not_offered(member_client, member):
    data = {key: value for key, value in _data().items() if key not in SPONSOR_KINDS | COORDINATOR_KINDS}
    assert member_client.post(URL, data | {"mentions": "weekly"}).status_code == 302
    assert notification_frequency(user=member, kind="mentions") == "weekly"


def test_notifications_page_query_count(member_client, everything, django_assert_num_queries):
    """1 the signed-in user, 2 whether they coordinate a community, 3 their stored choices. Whether they sponsor
    one is cached (the first request fills it; the navigation asks too). The session lives in Redis."""
    MembershipFactory(user=everything, role="coordinator")  # more communities cost nothing more
    SponsorshipFactory(sponsor=everything)
    member_client.get(URL)
    with django_assert_num_queries(3):
        member_client.get(URL)

"""Notification settings: one choice per registered kind of mail, among the frequencies that kind allows."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from members.models import NotificationPreference
from members.notifications import MAIL_KINDS
from members.selectors import notification_choices
from members.services import notification_frequency, notification_preferences_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("members:notifications")


def _data(**overrides) -> dict:
    """A full submission: every registered kind at its default, with `overrides`."""
    return {key: kind.default for key, kind in MAIL_KINDS.items()} | overrides


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


def test_notifications_page_has_a_fieldset_per_kind_with_its_allowed_choices(member_client):
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


def test_notifications_page_checks_the_current_choice_or_the_default(member_client, member):
    NotificationPreference.objects.create(user=member, kind="membership_requests", frequency="weekly")
    html = member_client.get(URL).text
    assert 'id="id_membership_requests_2" value="weekly" checked' in html
    assert 'id="id_membership_decisions_0" value="immediately" checked' in html


def test_notifications_are_saved(member_client, member):
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
def test_notifications_refuse_bad_values_with_a_message_and_save_nothing(member_client, member, data):
    response = member_client.post(URL, data)

    assert response.status_code == 200
    assert "Your notification settings were not saved" in response.text
    assert "Please correct" in response.text
    assert not NotificationPreference.objects.filter(user=member).exists()


def test_notifications_of_one_member_do_not_touch_another(member_client, member):
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

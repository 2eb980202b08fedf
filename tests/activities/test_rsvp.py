"""Answering going / maybe / not going: the view (htmx in place, or a post that comes back), the waitlist and its
promotion with mail, the ledger, and the RSVP buttons on the community home and the home page."""

from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from activities.calendar import services
from activities.calendar.services import ActivityError
from activities.models import Occurrence, Rsvp
from communities.models import Participation
from core.rules import NotPermitted
from tests.activities.test_schedule import first, schedule
from tests.factories import CommunityFactory, coordinator_of, member_of

pytestmark = pytest.mark.django_db


def rsvp_url(occurrence: Occurrence) -> str:
    return reverse("activities:rsvp", args=[occurrence.community.slug, occurrence.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def answer_of(user, occurrence) -> Rsvp | None:
    return Rsvp.objects.filter(user=user, occurrence=occurrence).first()


# --- the view ---------------------------------------------------------------------------------------------


def test_rsvp_without_javascript_redirects_back_with_a_message(client):
    community = CommunityFactory()
    occurrence = first(schedule(community))
    member = member_of(community)
    client.force_login(member)
    back = reverse("activities:community_calendar", args=[community.slug])
    response = client.post(rsvp_url(occurrence), {"answer": "going", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert answer_of(member, occurrence).answer == "going"
    assert messages_of(response)[0].startswith("You are going to Incident review on ")
    assert Participation.objects.filter(user=member, community=community, kind="rsvp").count() == 1


def test_rsvp_ignores_a_foreign_next(client):
    community = CommunityFactory()
    occurrence = first(schedule(community))
    client.force_login(member_of(community))
    response = client.post(rsvp_url(occurrence), {"answer": "maybe", "next": "https://evil.example.com/"})
    assert response["Location"] == occurrence.get_absolute_url()


def test_rsvp_with_htmx_swaps_the_block_and_announces(client):
    community = CommunityFactory()
    occurrence = first(schedule(community))
    member = member_of(community)
    client.force_login(member)
    response = client.post(
        rsvp_url(occurrence), {"answer": "maybe", "compact": "1"}, headers={"HX-Request": "true"}
    )
    text = response.text
    assert response.status_code == 200
    assert "<html" not in text
    assert 'data-hx-swap-oob="innerHTML:#live-region">Noted: maybe for Incident review' in text
    assert 'value="maybe" aria-pressed="true"' in text
    assert 'value="going" aria-pressed="false"' in text
    assert "You said maybe" in text and "1 maybe" in text
    assert '<input type="hidden" name="compact" value="1">' in text
    assert answer_of(member, occurrence).answer == "maybe"


def test_rsvp_on_the_date_page_also_refreshes_who_is_going(client):
    """Issue 14, item 13: the counter changed, the list of names did not. On the date's own page the people
    section comes along out of band; in lists (compact) it does not exist, so it is not sent."""
    community = CommunityFactory()
    occurrence = first(schedule(community))
    member = member_of(community, user__full_name="Rosa Respondent")
    client.force_login(member)
    response = client.post(rsvp_url(occurrence), {"answer": "going"}, headers={"HX-Request": "true"})
    text = response.text
    assert "<html" not in text and "1</strong> going" in text
    section = text[text.index('id="occurrence-people"') :]
    assert 'data-hx-swap-oob="true"' in section[:200] and "Rosa Respondent" in section
    response = client.post(rsvp_url(occurrence), {"answer": "maybe"}, headers={"HX-Request": "true"})
    section = response.text[response.text.index('id="occurrence-people"') :]
    assert "Nobody yet." in section and "Maybe: Rosa Respondent" in section
    compact = client.post(
        rsvp_url(occurrence), {"answer": "going", "compact": "1"}, headers={"HX-Request": "true"}
    )
    assert "occurrence-people" not in compact.text


def test_rsvp_rejects_get(client):
    community = CommunityFactory()
    occurrence = first(schedule(community))
    client.force_login(member_of(community))
    assert client.get(rsvp_url(occurrence)).status_code == 405


def test_rsvp_is_404_for_outsiders(member_client, member):
    occurrence = first(schedule(CommunityFactory(visibility="private")))
    assert member_client.post(rsvp_url(occurrence), {"answer": "going"}).status_code == 404
    assert not Rsvp.objects.exists()


def test_rsvp_by_a_non_member_is_refused_with_a_message(member_client, member):
    """A listed community's page is readable by everyone; answering is for its members."""
    community = CommunityFactory(name="Kaizen Circle")
    occurrence = first(schedule(community))
    response = member_client.post(rsvp_url(occurrence), {"answer": "going"})
    assert response.status_code == 302
    assert messages_of(response) == ["Join Kaizen Circle to answer for its activities."]
    assert not Rsvp.objects.filter(user=member).exists()


def test_rsvp_by_a_non_member_with_htmx_says_not_done(member_client):
    community = CommunityFactory(name="Kaizen Circle")
    occurrence = first(schedule(community))
    response = member_client.post(rsvp_url(occurrence), {"answer": "going"}, headers={"HX-Request": "true"})
    assert "<strong>Not done:</strong> Join Kaizen Circle to answer for its activities." in response.text
    assert not Rsvp.objects.exists()


def test_rsvp_to_a_cancelled_date_is_refused(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    services.occurrence_cancel(actor=coordinator, occurrence=occurrence, reason="Flooded")
    member = member_of(community)
    client.force_login(member)
    response = client.post(rsvp_url(occurrence), {"answer": "going"})
    assert messages_of(response) == ["This date is cancelled."]
    assert answer_of(member, occurrence) is None


def test_rsvp_to_a_past_date_is_refused(client):
    community = CommunityFactory()
    occurrence = first(schedule(community, days=-1, past_confirmed=True))
    member = member_of(community)
    client.force_login(member)
    response = client.post(rsvp_url(occurrence), {"answer": "going"})
    assert messages_of(response) == ["This date is over: answers are closed."]
    assert answer_of(member, occurrence) is None


def test_rsvp_with_a_bad_answer_is_refused(client):
    community = CommunityFactory()
    occurrence = first(schedule(community))
    member = member_of(community)
    client.force_login(member)
    response = client.post(rsvp_url(occurrence), {"answer": "perhaps"})
    assert messages_of(response) == ["Answer going, maybe or not going."]
    assert answer_of(member, occurrence) is None


def test_full_activity_offers_the_waitlist(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator, capacity=1))
    services.rsvp_set(user=coordinator, occurrence=occurrence, answer="going")
    member = member_of(community)
    client.force_login(member)
    page = client.get(occurrence.get_absolute_url()).text
    assert "Join the waitlist" in page and "Full" in page
    response = client.post(rsvp_url(occurrence), {"answer": "going"}, headers={"HX-Request": "true"})
    assert "is full: you are on the waitlist" in response.text
    assert "You&#x27;re on the waitlist" in response.text or "You're on the waitlist" in response.text
    assert answer_of(member, occurrence).waitlisted


# --- the service: waitlist, promotion, ledger -------------------------------------------------------------


def test_the_last_seat_goes_to_the_first_and_the_next_is_waitlisted():
    community = CommunityFactory()
    occurrence = first(schedule(community, capacity=2))
    a, b, c = member_of(community), member_of(community), member_of(community)
    assert not services.rsvp_set(user=a, occurrence=occurrence, answer="going").waitlisted
    assert not services.rsvp_set(user=b, occurrence=occurrence, answer="going").waitlisted
    assert services.rsvp_set(user=c, occurrence=occurrence, answer="going").waitlisted
    # maybe and not going never take a seat
    d = member_of(community)
    assert not services.rsvp_set(user=d, occurrence=occurrence, answer="maybe").waitlisted
    assert Participation.objects.filter(community=community, kind="rsvp").count() == 4


def test_giving_up_a_seat_promotes_the_first_waitlisted_and_mails_them(
    smtp_server, django_capture_on_commit_callbacks
):
    community = CommunityFactory(name="Kaizen Circle")
    occurrence = first(schedule(community, capacity=1))
    seated, first_waiting, second_waiting = member_of(community), member_of(community), member_of(community)
    services.rsvp_set(user=seated, occurrence=occurrence, answer="going")
    services.rsvp_set(user=first_waiting, occurrence=occurrence, answer="going")
    services.rsvp_set(user=second_waiting, occurrence=occurrence, answer="going")
    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp_set(user=seated, occurrence=occurrence, answer="not_going")
    assert not answer_of(first_waiting, occurrence).waitlisted
    assert answer_of(second_waiting, occurrence).waitlisted
    [mail] = smtp_server.wait_for(first_waiting.email)
    assert "Incident review" in mail["Subject"]
    assert occurrence.get_absolute_url() in mail.get_body(("plain",)).get_content()
    assert smtp_server.to(second_waiting.email) == []
    assert smtp_server.to(seated.email) == []


def test_raising_the_capacity_seats_the_waitlist(smtp_server, django_capture_on_commit_callbacks):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    activity = schedule(community, coordinator, capacity=1)
    occurrence = first(activity)
    services.rsvp_set(user=coordinator, occurrence=occurrence, answer="going")
    waiting = member_of(community)
    services.rsvp_set(user=waiting, occurrence=occurrence, answer="going")
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_update(actor=coordinator, activity=activity, capacity=2)
    assert not answer_of(waiting, occurrence).waitlisted
    smtp_server.wait_for(waiting.email)


def test_answering_the_same_twice_changes_nothing():
    community = CommunityFactory()
    occurrence = first(schedule(community))
    member = member_of(community)
    one = services.rsvp_set(user=member, occurrence=occurrence, answer="going")
    two = services.rsvp_set(user=member, occurrence=occurrence, answer="going")
    assert one.pk == two.pk and one.answered_at == two.answered_at
    assert Participation.objects.filter(user=member, kind="rsvp").count() == 1


def test_rsvp_service_refuses_non_members_cancelled_and_past():
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    with pytest.raises(NotPermitted, match="Join"):
        services.rsvp_set(user=member_of(CommunityFactory()), occurrence=occurrence, answer="going")
    past = first(schedule(community, coordinator, days=-2, past_confirmed=True, title="Old"))
    with pytest.raises(ActivityError, match="over"):
        services.rsvp_set(user=coordinator, occurrence=past, answer="going")
    assert not Rsvp.objects.exists()


# --- RSVP buttons on the community home and the home page -------------------------------------------------


def test_community_home_shows_the_next_three_dates_with_rsvp_buttons(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    activity = schedule(community, coordinator, repeat="weekly", repeat_count=5)
    dates = list(activity.occurrences.order_by("start"))
    services.occurrence_cancel(actor=coordinator, occurrence=dates[0], reason="Holiday")
    member = member_of(community)
    client.force_login(member)
    text = client.get(community.get_absolute_url()).text
    shown = [o for o in dates if o.get_absolute_url() in text]
    assert shown == dates[1:4]
    assert text.count('name="answer" value="going"') == 3
    assert f'value="{community.get_absolute_url()}"' in text  # comes back to the home page without JavaScript


def test_community_home_empty_states(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    client.force_login(coordinator)
    text = client.get(community.get_absolute_url()).text
    assert "Nothing coming up." in text and reverse("activities:schedule", args=[community.slug]) in text
    client.force_login(member_of(community))
    assert "Nothing scheduled yet." in client.get(community.get_absolute_url()).text


def test_community_home_of_a_listed_community_shows_dates_without_buttons_to_non_members(member_client):
    community = CommunityFactory()
    occurrence = first(schedule(community))
    text = member_client.get(community.get_absolute_url()).text
    assert occurrence.get_absolute_url() in text
    assert 'name="answer"' not in text


def test_home_page_shows_my_upcoming_activities(client):
    mine, other = CommunityFactory(name="Mine"), CommunityFactory(name="Other")
    member = member_of(mine)
    member.profile.time_zone = "Asia/Tokyo"
    member.profile.save()
    occurrence = first(schedule(mine, title="Our review"))
    first(schedule(other, title="Their review"))
    client.force_login(member)
    text = client.get(reverse("home")).text
    assert "Our review" in text and "Their review" not in text
    assert 'name="answer" value="going"' in text
    tokyo = occurrence.start.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{tokyo:%H:%M}\u2013" in text and "JST" in text


def test_home_page_offers_answers_only_where_they_would_be_taken(client):
    """An archived community's calendar no longer changes: its dates leave the home page's list, which offers
    RSVP buttons on every date it shows."""
    archived = CommunityFactory(name="Archived")
    member = member_of(archived)
    first(schedule(archived, title="Frozen review"))
    archived.archived_at = timezone.now()
    archived.save()
    client.force_login(member)
    text = client.get(reverse("home")).text
    assert "Frozen review" not in text
    assert "Nothing coming up in your communities." in text


def test_home_page_without_upcoming_activities(member_client):
    assert "Nothing coming up in your communities." in member_client.get(reverse("home")).text


def test_upcoming_dates_leave_out_those_that_are_over():
    """The community home's selector (used by the tag) shows only dates that have not ended."""
    from activities.calendar.selectors import upcoming_for_community

    community = CommunityFactory()
    coordinator = coordinator_of(community)
    schedule(community, coordinator, days=-1, past_confirmed=True, title="Yesterday")
    soon = first(schedule(community, coordinator, title="Soon"))
    assert [o.pk for o in upcoming_for_community(community=community, viewer=coordinator)] == [soon.pk]

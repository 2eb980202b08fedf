"""Two people taking the last seat at the same moment: one gets it, one is waitlisted (real PostgreSQL locks)."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from activities.calendar import services
from activities.models import Rsvp
from tests.factories import CommunityFactory, coordinator_of, member_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_last_seat_race_seats_exactly_one():
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    start = (timezone.now() + timedelta(days=3)).replace(tzinfo=None, microsecond=0)
    activity = services.activity_schedule(
        actor=coordinator,
        community=community,
        title="Small clinic",
        start_local=start,
        end_local=start + timedelta(hours=1),
        time_zone="UTC",
        capacity=1,
    )
    occurrence = activity.occurrences.get()
    first, second = member_of(community), member_of(community)
    barrier = threading.Barrier(2)
    errors = []

    def take_seat(user):
        try:
            barrier.wait(timeout=10)
            services.rsvp_set(user=user, occurrence=occurrence, answer="going")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_seat, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    rows = list(Rsvp.objects.filter(occurrence=occurrence).values_list("answer", "waitlisted"))
    assert sorted(rows) == [("going", False), ("going", True)]
    assert isinstance(start, datetime)

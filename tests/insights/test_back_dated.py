"""Back-dated value stories (`at=`, used by demo data and tests): the story is recorded at the given moment, and
"not in the future" and "in the last ten years" are judged from that moment."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from insights.models import ValueStory
from insights.services import value_story_record
from tests.factories import CommunityFactory, coordinator_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def guild():
    return CommunityFactory(name="Reliability Guild")


@pytest.fixture
def coordinator(guild):
    return coordinator_of(guild)


def fields(happened_on) -> dict:
    return {
        "cycle": ValueStory.Cycle.REALIZED,
        "title": "Fewer repeats",
        "story": "It helped.",
        "happened_on": happened_on,
    }


def test_a_story_recorded_at_a_given_moment(guild, coordinator):
    at = timezone.now() - timedelta(days=40)
    story = value_story_record(
        actor=coordinator, community=guild, at=at, **fields(timezone.localdate(at) - timedelta(days=3))
    )
    story.refresh_from_db()
    assert story.recorded_at == at and story.recorded_by == coordinator


def test_a_back_dated_story_cannot_have_happened_after_it_was_recorded(guild, coordinator):
    at = timezone.now() - timedelta(days=40)
    with pytest.raises(ValidationError) as refused:
        value_story_record(
            actor=coordinator, community=guild, at=at, **fields(timezone.localdate(at) + timedelta(days=5))
        )
    assert "happened_on" in refused.value.message_dict
    assert not ValueStory.objects.exists()


def test_without_at_a_story_is_recorded_now(guild, coordinator):
    before = timezone.now()
    story = value_story_record(actor=coordinator, community=guild, **fields(timezone.localdate()))
    assert before <= story.recorded_at <= timezone.now()

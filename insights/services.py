"""Writes for insights: recording a value story (realized value or reframing) on a community.

Who may record is `insights.rules.may_record_story` (coordinators, sponsors and staff, while the community is
not archived), enforced here with `core.rules.require`: a refusal is `NotPermitted`, with the rule's message. Bad
input is an `InsightsError` keyed by its field (nothing is stored then). The keyword-only `at` is when the story
was recorded (None: now); only demo data and tests pass it, to back-date history.
"""

import logging
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from communities.access import access_for
from communities.models import Community
from core.dates import years_from
from core.rules import Refused, require
from core.viewer_zone import viewer_zone
from insights import rules
from insights.models import ValueStory
from members.models import User

logger = logging.getLogger(__name__)

STORY_FIELDS = ("cycle", "title", "story", "evidence", "happened_on")
FUTURE_DATE = "The date cannot be in the future: record what has already happened."
STORY_YEARS_BACK = 10
TOO_OLD = f"Choose a date in the last {STORY_YEARS_BACK} years: value stories record what a community achieved lately."


class InsightsError(Refused):
    """Insights refused what was typed (a field-keyed message); nothing was stored."""


def story_earliest_date(user: User, *, at: datetime | None = None) -> date:
    """The earliest date a value story may have happened on (10 years before today, where the person is)."""
    return years_from(today_for(user, at=at), -STORY_YEARS_BACK)


def today_for(user: User, *, at: datetime | None = None) -> date:
    """The date it is now (or at `at`) where `user` is (their profile's time zone, else the site's)."""
    return timezone.localtime(at or timezone.now(), viewer_zone(user)).date()


@transaction.atomic
def value_story_record(
    *, actor: User, community: Community, at: datetime | None = None, **fields
) -> ValueStory:
    """Record a realized-value or reframing story on `community`, by `actor` (at `at`, else now).

    `fields` are the story's: cycle, title, story, evidence (optional), happened_on (not after the day it is
    recorded, where the actor is).
    """
    unknown = set(fields) - set(STORY_FIELDS)
    if unknown:
        raise TypeError(f"value_story_record() got unexpected fields: {', '.join(sorted(unknown))}")
    access = access_for(actor, community)
    require(rules.may_record_story(access), lambda: rules.story_refusal(access))
    happened_on = fields.get("happened_on")
    if isinstance(happened_on, date) and happened_on > today_for(actor, at=at):
        raise InsightsError({"happened_on": FUTURE_DATE})
    if isinstance(happened_on, date) and happened_on < story_earliest_date(actor, at=at):
        raise InsightsError({"happened_on": TOO_OLD})
    story = ValueStory(community=community, recorded_by=actor, **fields)
    try:
        story.full_clean()
    except ValidationError as invalid:
        raise InsightsError(invalid.error_dict) from invalid
    story.save()
    if at is not None:  # recorded_at is set on insert (auto_now_add); a back-dated story is moved after it
        ValueStory.objects.filter(pk=story.pk).update(recorded_at=at)
        story.recorded_at = at
    logger.info(
        "value story %s (%s) recorded on %s by user %s", story.pk, story.cycle, community.slug, actor.pk
    )
    return story

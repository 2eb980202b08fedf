"""Writes for insights: recording a value story (realized value or reframing) on a community.

Who may record: the community's coordinators, its sponsors and staff (as `insights.access` says for the pages);
an archived community no longer changes. A refusal is a `ValidationError` with a message for the person (nothing
is stored then); a caller without the right gets `PermissionDenied`. The keyword-only `at` is when the story was
recorded (None: now); only demo data and tests pass it, to back-date history.
"""

import logging
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from communities.models import Community, Membership, Sponsorship
from core.dates import years_from
from core.viewer_zone import viewer_zone
from insights.models import ValueStory
from members.models import User

logger = logging.getLogger(__name__)

STORY_FIELDS = ("cycle", "title", "story", "evidence", "happened_on")
FUTURE_DATE = "The date cannot be in the future: record what has already happened."
STORY_YEARS_BACK = 10
TOO_OLD = f"Choose a date in the last {STORY_YEARS_BACK} years: value stories record what a community achieved lately."


def story_earliest_date(user: User, *, at: datetime | None = None) -> date:
    """The earliest date a value story may have happened on (10 years before today, where the person is)."""
    return years_from(today_for(user, at=at), -STORY_YEARS_BACK)


def today_for(user: User, *, at: datetime | None = None) -> date:
    """The date it is now (or at `at`) where `user` is (their profile's time zone, else the site's)."""
    return timezone.localtime(at or timezone.now(), viewer_zone(user)).date()


def may_record_story_on(user: User, community: Community) -> bool:
    """Staff, the community's sponsors and its active coordinators record its value stories."""
    if user.is_staff:
        return True
    if Sponsorship.objects.filter(community=community, sponsor=user).exists():
        return True
    return Membership.objects.filter(
        community=community,
        user=user,
        status=Membership.Status.ACTIVE,
        role=Membership.Role.COORDINATOR,
    ).exists()


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
    if not may_record_story_on(actor, community):
        raise PermissionDenied(
            "Only this community's coordinators, its sponsors and staff record value stories."
        )
    if community.is_archived:
        raise ValidationError(
            f"{community.name} is archived: its value stories are kept for reference and no new ones are recorded."
        )
    happened_on = fields.get("happened_on")
    if isinstance(happened_on, date) and happened_on > today_for(actor, at=at):
        raise ValidationError({"happened_on": FUTURE_DATE})
    if isinstance(happened_on, date) and happened_on < story_earliest_date(actor, at=at):
        raise ValidationError({"happened_on": TOO_OLD})
    story = ValueStory(community=community, recorded_by=actor, **fields)
    story.full_clean()
    story.save()
    if at is not None:  # recorded_at is set on insert (auto_now_add); a back-dated story is moved after it
        ValueStory.objects.filter(pk=story.pk).update(recorded_at=at)
        story.recorded_at = at
    logger.info(
        "value story %s (%s) recorded on %s by user %s", story.pk, story.cycle, community.slug, actor.pk
    )
    return story

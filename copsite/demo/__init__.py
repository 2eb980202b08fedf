"""Demo and benchmark data for the whole site: each app seeds its own tables, in dependency order."""

from contextlib import contextmanager

from django.test.utils import override_settings

from communities.models import Community
from copsite.celery import app as celery_app
from copsite.demo.activities import (
    seed_demo_activities,
    seed_demo_discussions,
    seed_scaled_activities,
    seed_scaled_discussions,
)
from copsite.demo.communities import COMMUNITIES_PER_SCALE, seed_demo_communities, seed_scaled_communities
from copsite.demo.insights import (
    seed_demo_snapshots,
    seed_demo_value_stories,
    seed_scaled_snapshots,
    seed_scaled_value_stories,
)
from copsite.demo.members import DEMO_PASSWORD, DemoLogin, seed_demo_members, seed_scaled_members
from copsite.demo.repertoire import seed_demo_resources, seed_scaled_resources


@contextmanager
def no_mail():
    """Demo data is made through the services, which mail people (a join, a reply, a mention): nobody is told
    about demo events. Tasks run in this process while seeding (Celery's eager mode), and their mail goes
    nowhere."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        previous = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        try:
            yield
        finally:
            celery_app.conf.task_always_eager = previous


def seed_demo() -> tuple[list[DemoLogin], str]:
    """The realistic demo set; safe to run again. Returns the logins to print and their password."""
    with no_mail():
        return _seed_demo()


def _seed_demo() -> tuple[list[DemoLogin], str]:
    logins = seed_demo_members()
    logins += [DemoLogin(email=email, role=role) for email, role in seed_demo_communities()]
    seed_demo_activities()
    seed_demo_discussions()
    seed_demo_resources()
    seed_demo_value_stories()
    seed_demo_snapshots()  # last: a year of snapshots replayed from the history seeded above
    return logins, DEMO_PASSWORD


def seed_scaled(scale: int) -> dict[str, int]:
    """Add a benchmark set of the given scale on top of what exists; returns row counts added per kind."""
    batch = seed_scaled_members(scale)
    counts = {"members": len(batch.users)}
    counts.update(seed_scaled_communities(scale, batch))
    new_communities = list(
        Community.objects.filter(slug__startswith="bench-").order_by("-pk")[: COMMUNITIES_PER_SCALE * scale]
    )
    counts["activities"] = seed_scaled_activities(scale, new_communities)
    counts["posts"] = seed_scaled_discussions(scale, new_communities)
    counts["resources"] = seed_scaled_resources(scale, new_communities)
    counts["value stories"] = seed_scaled_value_stories(scale, new_communities)
    counts["snapshots"] = seed_scaled_snapshots(scale)  # last: replayed from the history seeded above
    return counts

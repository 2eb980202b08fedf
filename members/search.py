"""Search answered by members: people by name, job title and expertise (directory opt-outs excluded)."""

from django.db.models import Exists, OuterRef, Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from members.models import Profile, User
from members.search_support import Hit, Query, Results, plain_snippet


def search_people(*, viewer: User, query: Query, offset: int = 0, limit: int = 5, **_ignored) -> Results:
    """Active people listed in the directory matching every word in their name, job title or expertise.

    Names do not stem, so this is a plain match on every database."""
    people = User.objects.filter(is_active=True, profile__in_directory=True)
    for word in query.words:
        expertise = Profile.expertise.through.objects.filter(
            profile__user=OuterRef("pk"), tag__name__icontains=word
        )
        people = people.filter(
            Q(full_name__icontains=word) | Q(profile__job_title__icontains=word) | Q(Exists(expertise))
        )
    total = people.count()
    page = list(
        people.select_related("profile", "org_unit")
        .prefetch_related("profile__expertise")
        .order_by("full_name", "pk")[offset : offset + limit]
    )
    hits = []
    for person in page:
        about = " · ".join(
            part
            for part in [person.profile.job_title, person.org_unit.name if person.org_unit else ""]
            + [tag.name for tag in person.profile.expertise.all()]
            if part
        )
        hits.append(
            Hit(
                kind="person",
                title=person.full_name,
                url=person.get_absolute_url(),
                snippet=plain_snippet(about, query.words) if about else mark_safe(escape("")),  # noqa: S308
                context=person.profile.job_title,
            )
        )
    return Results(kind="people", total=total, hits=hits)

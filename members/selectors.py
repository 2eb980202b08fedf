"""Reads for members: the directory and profiles."""

from django.db.models import Q, QuerySet

from members.models import User


def directory_people(*, query: str = "") -> QuerySet[User]:
    """Active people who appear in the directory, matched by name, job title or expertise."""
    people = (
        User.objects.filter(is_active=True, profile__in_directory=True)
        .select_related("org_unit", "profile")
        .prefetch_related("profile__expertise")
        .order_by("full_name", "pk")
    )
    if query:
        matching_expertise = User.objects.filter(profile__expertise__name__icontains=query).values("pk")
        people = people.filter(
            Q(full_name__icontains=query)
            | Q(profile__job_title__icontains=query)
            | Q(pk__in=matching_expertise)
        )
    return people


def person_for_profile(*, pk: int) -> User | None:
    """One active person with what their profile page shows, or None."""
    return (
        User.objects.filter(pk=pk, is_active=True)
        .select_related("org_unit", "profile")
        .prefetch_related("profile__expertise")
        .first()
    )

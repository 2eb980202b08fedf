"""Who sees whose profile: named, pure predicates (no query), asked by the profile page, the @mention links and
whatever lists people.

| who                | a person in the directory | a person out of the directory | a person who left (inactive) |
|--------------------|---------------------------|-------------------------------|------------------------------|
| any signed-in user | yes                       | no (404)                      | no (404)                     |
| that person        | yes                       | yes                           | (cannot sign in)             |
| staff              | yes                       | yes                           | yes                          |
"""


def sees_people_who_left(viewer) -> bool:
    """Staff see the profiles of people who left the organization (deactivated), to offboard them."""
    return viewer.is_staff


def may_see_profile(viewer, *, person_pk: int, in_directory: bool) -> bool:
    """A profile in the directory is seen by everyone signed in; one out of it by its owner and staff."""
    return in_directory or person_pk == viewer.pk or viewer.is_staff


# What a company directory keeps for the people it provisions (`User.directory`): their profile form shows these
# read-only, and `profile_update` leaves them as the directory set them.
DIRECTORY_FIELDS = ("email", "full_name", "job_title", "org_unit", "reports_to")


def kept_by_directory(person) -> frozenset[str]:
    """The fields of `person` that change in the company directory, not in CoPsite (none when kept by hand)."""
    return frozenset(DIRECTORY_FIELDS) if person.directory else frozenset()

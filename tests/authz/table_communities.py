"""The matrix's rows for communities: browsing, a community's home and members, joining and one's own membership,
coordinators' management and staff's pages."""

from tests.authz.matrix import Row, grid
from tests.authz.rules import (
    CONTENT,
    MANAGE,
    NOT_ALLOWED,
    NOT_ALLOWED_SIGNED_IN,
    SIGNED_IN,
    STAFF_ONLY,
)


def slug(c):
    return {"slug": c.slug}


def member_row(target: str):
    """A membership of the community, named by its id: the peripheral member's, or a waiting request's."""
    return lambda c: {"slug": c.slug, "pk": c.place.membership_of[target].pk}


COMMUNITY_FIELDS = {
    "name": "Matrix Makers",
    "domain": "Getting better at checking who may do what.",
    "join_policy": "open",
    "visibility": "listed",
    "topics_text": "testing",
}

# Staff's pages of one community: 404 where the community itself is hidden, 403 for everyone else but staff.
STAFF_IN_COMMUNITY = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        403  403         403         403     403     ok
private  login 404      403        403  403         404         403     404     ok
archived login 403      403        403  403         403         403     403     ok
""")

ROWS = [
    Row("communities:browse", GET=SIGNED_IN, POST=NOT_ALLOWED, in_community=False),
    Row(
        "communities:propose",
        GET=SIGNED_IN,
        POST=SIGNED_IN,
        body=COMMUNITY_FIELDS,
        writes=("communities_community", "communities_membership"),
        in_community=False,
    ),
    Row("communities:staff_attention", GET=STAFF_ONLY, POST=NOT_ALLOWED, in_community=False),
    # The home shows everyone signed in the name, domain and the way in; the content only to who may see it.
    Row("communities:home", GET=SIGNED_IN, POST=NOT_ALLOWED, params=slug),
    Row("communities:members", GET=CONTENT, POST=NOT_ALLOWED, params=slug),
    Row(
        "communities:settings",
        GET=MANAGE,
        POST=MANAGE,
        params=slug,
        body=lambda c: {**COMMUNITY_FIELDS, "name": c.place.community.name, "stage": "maturing"},
        writes=("communities_community",),
    ),
    # Joining: open communities only (the private one takes members on approval; an archived one none);
    # members already in answer "no"; removed people see the way in again.
    Row(
        "communities:join",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login ok       no         no   no          ok          ok      ok      ok
private  login no
archived login no
"""),
        params=slug,
        body={"level": "active"},
        writes=("communities_membership",),
    ),
]

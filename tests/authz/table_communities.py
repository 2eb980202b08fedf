"""The matrix's rows for communities: browsing, a community's home and members, joining and one's own membership,
coordinators' management and staff's pages."""

from tests.authz.matrix import Row, grid
from tests.authz.rules import (
    CONTENT,
    EVERYONE,
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
ROWS += [
    # Asking to join: communities taking members on approval (here the private one); open ones say "join
    # directly", archived ones take nobody; members already in, or already waiting, are told so.
    Row(
        "communities:request",
        GET=SIGNED_IN,
        POST=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login no
private  login ok       no         no   no          ok          ok      ok      ok
archived login no
"""),
        params=slug,
        body={"message": "I would like to learn with you.", "level": "peripheral"},
        writes=("communities_membership",),
    ),
    # Answering one's own invitation: none of the roles has one waiting, so each is told.
    Row(
        "communities:respond",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login no
private  login no
archived login no
"""),
        params=slug,
        body={"answer": "accept"},
    ),
    # Changing one's own level: active members of a community that is not archived.
    Row(
        "communities:my_level",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login no       ok         ok   ok          no          no      no      no
private  login no       ok         ok   ok          no          no      no      no
archived login no
"""),
        params=slug,
        body={"level": "active"},
        writes=("communities_membership",),
    ),
    # Leaving: active members, after a confirmation page; the last coordinator cannot; an archived community
    # no longer changes. Non-members are sent back to the community with a note.
    Row(
        "communities:leave",
        GET=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login no       ok         ok   ok          no          no      no      no
private  login no       ok         ok   ok          no          no      no      no
archived login no       ok         ok   ok          no          no      no      no
"""),
        POST=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login no       ok         ok   no          no          no      no      no
private  login no       ok         ok   no          no          no      no      no
archived login no
"""),
        params=slug,
        writes=("communities_membership",),
    ),
    # An invitation link mailed to an address: whoever holds it sees the invitation; signing in is needed to
    # accept, and only the invited address can (none of the roles is it).
    Row(
        "communities:email_invitation",
        GET=EVERYONE,
        POST=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login no
private  login no
archived login no
"""),
        params=lambda c: {"token": c.place.email_invitation.token},
    ),
    # Coordinators manage membership: requests, invitations, levels, roles, removal, CSV export.
    Row("communities:manage_members", GET=MANAGE, POST=NOT_ALLOWED_SIGNED_IN, params=slug),
    Row("communities:export_members", GET=MANAGE, POST=NOT_ALLOWED_SIGNED_IN, params=slug),
    Row(
        "communities:invite",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MANAGE,
        params=slug,
        body={"emails": "fresh.colleague@matrix.example", "level": "peripheral", "message": "Join us"},
        writes=("communities_emailinvitation",),
    ),
    Row(
        "communities:decide",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MANAGE,
        params=member_row("requester"),
        body={"decision": "approve"},
        writes=("communities_membership",),
    ),
    Row(
        "communities:change_level",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MANAGE,
        params=member_row("peripheral"),
        body={"level": "active"},
        writes=("communities_membership",),
    ),
    # A membership of another community through this community's URL is not found, even for its coordinator.
    Row(
        "communities:change_level",
        target="membership elsewhere",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        403  404         403         403     403     403
private  login 404      403        403  404         404         403     404     403
archived login 403
"""),
        params=lambda c: {"slug": c.slug, "pk": c.world.elsewhere.memberships.get().pk},
        body={"level": "active"},
    ),
    Row(
        "communities:change_role",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MANAGE,
        params=member_row("peripheral"),
        body={"role": "coordinator"},
        writes=("communities_membership",),
    ),
    Row(
        "communities:remove",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MANAGE,
        params=member_row("peripheral"),
        body={"reason": "Asked to leave."},
        writes=("communities_membership",),
    ),
    Row(
        "communities:withdraw_invitation",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MANAGE,
        params=lambda c: {"slug": c.slug, "pk": c.place.email_invitation.pk},
        writes=("communities_emailinvitation",),
    ),
    # Staff: sponsors (a new one only while the community is not archived; ending one always), archiving and
    # bringing back, appointing a coordinator (not to an archived community), deactivating people who left.
    Row(
        "communities:sponsors",
        GET=STAFF_IN_COMMUNITY,
        POST=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        403  403         403         403     403     ok
private  login 404      403        403  403         404         403     404     ok
archived login 403      403        403  403         403         403     403     no
"""),
        params=slug,
        body=lambda c: {"sponsor": c.world.people["outsider"].email, "provides": "Time"},
        writes=("communities_sponsorship",),
    ),
    Row(
        "communities:end_sponsorship",
        GET=NOT_ALLOWED,
        POST=STAFF_IN_COMMUNITY,
        params=lambda c: {"slug": c.slug, "pk": c.place.sponsorship.pk},
        writes=("communities_sponsorship",),
    ),
    Row(
        "communities:archive",
        GET=NOT_ALLOWED,
        POST=STAFF_IN_COMMUNITY,
        params=slug,
        body=lambda c: {"action": "unarchive" if c.kind == "archived" else "archive"},
        writes=("communities_community",),
    ),
    Row(
        "communities:appoint",
        GET=NOT_ALLOWED,
        POST=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        403  403         403         403     403     ok
private  login 404      403        403  403         404         403     404     ok
archived login 403      403        403  403         403         403     403     no
"""),
        params=slug,
        body=lambda c: {"user": c.place.people["core"].email},
        writes=("communities_membership",),
    ),
    Row(
        "communities:deactivate_member",
        GET=NOT_ALLOWED,
        POST=STAFF_ONLY,
        params=lambda c: {"pk": c.world.places["private"].author.pk},
        writes=("members_user",),
        in_community=False,
    ),
    Row(
        "communities:reactivate_member",
        GET=NOT_ALLOWED,
        POST=STAFF_ONLY,
        params=lambda c: {"pk": c.world.departed.pk},
        writes=("members_user", "communities_membership", "communities_membershipevent"),
        in_community=False,
    ),
]

"""The matrix's rows for the site's own pages (home, health check, search), the members app (directory, profiles,
one's own settings, one-click unsubscribe, people suggestions) and insights (dashboard, constellation, a
community's health page, its CSV exports and value stories, staff's mail previews).

Rules: README "Communities: who sees what", "Search", "Dashboards, health and the constellation", "Digests and
reports"; insights/access.py's table. URLs outside a community are requested once (`site`) by the private
community's people, so `peripheral`, `core`, `coordinator` and `removed` there are the private community's.
"""

import datetime

from django.utils import timezone

from core.unsubscribe import unsubscribe_token
from members.notifications import MAIL_KINDS
from tests.authz.matrix import Row, grid, uniform
from tests.authz.rules import EVERYONE, NOT_ALLOWED, NOT_ALLOWED_SIGNED_IN, SIGNED_IN, STAFF_ONLY

# --- Shared -----------------------------------------------------------------------------------------------------

# The query strings the matrix cannot send yet (Row has no `query`): each row names the one it should carry.
# test_site.py's test_private_stays_private requests them meanwhile.
# Not MARKER itself: the search box echoes the query. "clinic" is in every community's activities; the private
# community's results carry MARKER in their titles, so they must show only to who may see it.
SEARCH_QUERY = {"q": "clinic"}
# The private community's members: nobody for who may not see it.
DIRECTORY_QUERY = {"community": "private-guild"}

UNSUBSCRIBE_KIND = "member_digest"


def slug(c):
    return {"slug": c.slug}


def own_pk(c):
    """The requester's own user id (the anonymous visitor's: the peripheral member's)."""
    return (c.user or c.place.people["peripheral"]).pk


def own_unsubscribe(c):
    """The one-click link of the requester's own mail (the anonymous visitor follows the peripheral member's,
    as a mail client does: no session, the signed token is the proof)."""
    return {"token": unsubscribe_token(own_pk(c), UNSUBSCRIBE_KIND)}


def tampered_unsubscribe(c):
    token = unsubscribe_token(own_pk(c), UNSUBSCRIBE_KIND)
    return {"token": token[:-2] + ("AA" if not token.endswith("AA") else "BB")}


def profile_body(c):
    person = c.user
    return {
        "full_name": person.full_name if person else "Nobody",
        "job_title": "Reviewer",
        "time_zone": "Europe/Berlin",
        "in_directory": "on",
        "expertise": "incident reviews",
    }


# Every kind a person may be shown, at an allowed choice (the form takes the kinds shown to them; the rest of the
# body is ignored); member_digest off, so something changes.
NOTIFICATION_BODY = {key: kind.default for key, kind in MAIL_KINDS.items()} | {UNSUBSCRIBE_KIND: "off"}


def story_body(c):
    return {
        "cycle": "realized",
        "title": "Night pages halved",
        "story": "After the runbook.",
        "evidence": "The pager log.",
        "happened_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
    }


# --- The site's own pages and members ------------------------------------------------------------------------------

ROWS_SITE_MEMBERS = [
    # The start page: every signed-in person (their own communities only); the wrong method is refused before
    # asking anyone to sign in (require_GET wraps login_required).
    Row("home", GET=SIGNED_IN, POST=NOT_ALLOWED, in_community=False),
    # The health check is for load balancers and monitors: no sign-in, no data beyond the services' state.
    Row("healthz", GET=EVERYONE, POST=NOT_ALLOWED, in_community=False),
    # The signed-in trivial page `make bench` measures against: every signed-in person.
    Row("ping", GET=SIGNED_IN, POST=NOT_ALLOWED, in_community=False),
    # Search: every signed-in person, results limited to what they may see (README "Search").
    # Search: every signed-in person, with results from what they may see ("clinic" is in every community's
    # activities; only the private community's carry MARKER).
    Row("search", GET=SIGNED_IN, POST=NOT_ALLOWED, query=SEARCH_QUERY, in_community=False),
    # The directory: every signed-in person; a private community's members only for who may see it.
    Row("members:directory", GET=SIGNED_IN, POST=NOT_ALLOWED, query=DIRECTORY_QUERY, in_community=False),
    # One's own profile and notification settings: every signed-in person, for themselves only (no id in the URL).
    Row(
        "members:edit_profile",
        GET=SIGNED_IN,
        POST=SIGNED_IN,
        body=profile_body,
        writes=("members_profile",),
        in_community=False,
    ),
    Row(
        "members:notifications",
        GET=SIGNED_IN,
        POST=SIGNED_IN,
        body=NOTIFICATION_BODY,
        writes=("members_notificationpreference",),
        in_community=False,
    ),
    # One-click unsubscribe: no sign-in, the signed token names the person and the kind; GET asks, POST turns
    # the kind off (also a mail client's RFC 8058 POST, without cookies).
    Row(
        "members:unsubscribe",
        GET=EVERYONE,
        POST=EVERYONE,
        params=own_unsubscribe,
        body={"List-Unsubscribe": "One-Click"},
        writes=("members_notificationpreference",),
        target="own",
        in_community=False,
    ),
    # A tampered link: a friendly page with status 200 ("no": people reach it from a mail) and nothing changes.
    Row(
        "members:unsubscribe",
        GET=uniform("no"),
        POST=uniform("no"),
        params=tampered_unsubscribe,
        body={"List-Unsubscribe": "One-Click"},
        target="tampered",
        in_community=False,
    ),
    # People suggestions for email inputs: every signed-in person (people in the directory only).
    Row("members:suggest", GET=SIGNED_IN, POST=NOT_ALLOWED, in_community=False),
    # A member of the private community's profile: every signed-in person sees the profile (they are in the
    # directory), but its "Communities" list shows the private membership only to who may see the private
    # community (MARKER is not in a profile: test_site.py checks the community's name does not show either).
    Row(
        "members:profile",
        GET=SIGNED_IN,
        POST=NOT_ALLOWED,
        params=lambda c: {"pk": c.place.people["core"].pk},
        target="private_member",
        in_community=False,
    ),
    # One's own profile (the anonymous visitor tries the peripheral member's).
    Row(
        "members:profile",
        GET=SIGNED_IN,
        POST=NOT_ALLOWED,
        params=lambda c: {"pk": own_pk(c)},
        target="own",
        in_community=False,
    ),
    # An @mention's link: the private community's author's handle redirects to their profile (in the directory).
    Row(
        "members:by_handle",
        GET=SIGNED_IN,
        POST=NOT_ALLOWED,
        params=lambda c: {"handle": c.place.author.email.split("@")[0]},
        in_community=False,
    ),
]

# --- Insights ----------------------------------------------------------------------------------------------------

# The sponsor dashboard: sponsors and staff; anyone else signed in gets a 403 page saying where to look instead
# (insights/access.py: "(no entry)" for coordinators and members).
DASHBOARD = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
site     login 403      403        403  403         403         ok      403     ok
""")

# A community's health page and its CSV exports: its coordinators, core group, sponsors and staff; 404 for who
# may not see the community, 403 for members and signed-in people without the right. An archived community's
# health stays readable to them.
HEALTH = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        ok   ok          403         ok      403     ok
private  login 404      403        ok   ok          404         ok      404     ok
archived login 403      403        ok   ok          403         ok      403     ok
""")

# Recording a value story: coordinators, sponsors and staff (the core group reads the health page but does not
# record). An archived community records no more: those who could are sent back to the health page with the
# reason ("no", a redirect with a message), the others get the same 403/404 as elsewhere.
RECORD_STORY = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        403  ok          403         ok      403     ok
private  login 404      403        403  ok          404         ok      404     ok
archived login 403      403        403  no          403         no      403     no
""")

ROWS_INSIGHTS = [
    Row("insights:dashboard", GET=DASHBOARD, POST=NOT_ALLOWED, in_community=False),
    # The constellation: every signed-in person, made of the communities they may see (private ones only for
    # their members, sponsors and staff: test_site.py checks the private community's name does not show).
    Row("insights:constellation", GET=SIGNED_IN, POST=NOT_ALLOWED, in_community=False),
    # The health page (login_required wraps require_GET: a POST asks the anonymous visitor to sign in first).
    Row("insights:community", GET=HEALTH, POST=NOT_ALLOWED_SIGNED_IN, params=slug),
    # Every chart's CSV is the same access as the page (checked before the chart's name): the value matrix's.
    Row(
        "insights:chart_csv",
        GET=HEALTH,
        POST=NOT_ALLOWED_SIGNED_IN,
        params=lambda c: {"slug": c.slug, "chart": "value"},
        target="value",
    ),
    Row(
        "insights:chart_csv",
        GET=HEALTH,
        POST=NOT_ALLOWED_SIGNED_IN,
        params=lambda c: {"slug": c.slug, "chart": "membership"},
        target="membership",
    ),
    # A chart that does not exist: the same refusals first (nothing tells who may not read the page which charts
    # exist), then 404 for who may.
    Row(
        "insights:chart_csv",
        GET=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        404  404         403         404     403     404
private  login 404      403        404  404         404         404     404     404
archived login 403      403        404  404         403         404     403     404
"""),
        POST=NOT_ALLOWED_SIGNED_IN,
        params=lambda c: {"slug": c.slug, "chart": "no-such-chart"},
        target="unknown",
    ),
    # Recording a story (README: "coordinators and sponsors record as stories"), on the form page and its POST.
    Row(
        "insights:story_create",
        GET=RECORD_STORY,
        POST=RECORD_STORY,
        params=slug,
        body=story_body,
        writes=("insights_valuestory",),
    ),
    # Mail previews: staff only (README "Sending now, and previews"); nothing is stored or sent.
    Row("insights:preview_list", GET=STAFF_ONLY, POST=NOT_ALLOWED, in_community=False),
    *(
        Row(
            "insights:preview",
            GET=STAFF_ONLY,
            POST=NOT_ALLOWED,
            params=lambda c, kind=kind: {"kind": kind},
            target=kind,
            in_community=False,
        )
        for kind in ("coordinator_digest", "sponsor_report", "member_digest")
    ),
    # A kind that does not exist: 403 for everyone but staff before anything is looked up, 404 for staff.
    Row(
        "insights:preview",
        GET=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
site     login 403      403        403  403         403         403     403     404
"""),
        POST=NOT_ALLOWED,
        params=lambda c: {"kind": "no-such-digest"},
        target="unknown",
        in_community=False,
    ),
]

ROWS = ROWS_SITE_MEMBERS + ROWS_INSIGHTS

"""The README's who-sees-what rules as expectation grids, named so the table reads as the rules do.

Columns: anon = not signed in; outsider = signed in, no tie to the community; peripheral, core, coordinator =
active members of the URL's community at that level or role; other_coord = coordinates another community;
sponsor = sponsors the community, not a member; removed = was a member, removed by a coordinator; staff.
Lines: the listed, the private and the archived (listed) community; `site` for URLs outside a community.
"""

from tests.authz.matrix import grid, uniform

# --- Anywhere --------------------------------------------------------------------------------------------------

EVERYONE = uniform("ok")
NOT_ALLOWED = uniform("405")

SIGNED_IN = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
site     login ok       ok         ok   ok          ok          ok      ok      ok
listed   login ok       ok         ok   ok          ok          ok      ok      ok
private  login ok       ok         ok   ok          ok          ok      ok      ok
archived login ok       ok         ok   ok          ok          ok      ok      ok
""")

# A wrong method for a view that asks to sign in first: the anonymous visitor is sent to log in.
NOT_ALLOWED_SIGNED_IN = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
site     login 405      405        405  405         405         405     405     405
listed   login 405      405        405  405         405         405     405     405
private  login 405      405        405  405         405         405     405     405
archived login 405      405        405  405         405         405     405     405
""")

STAFF_ONLY = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
site     login 403      403        403  403         403         403     403     ok
""")

# --- A community's content -------------------------------------------------------------------------------------

# Listed: every signed-in person. Private: its members, its sponsors and staff; 404 for everyone else
# (outsiders, coordinators of other communities, removed members). Archived: readable as before.
CONTENT = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login ok       ok         ok   ok          ok          ok      ok      ok
private  login 404      ok         ok   ok          404         ok      404     ok
archived login ok       ok         ok   ok          ok          ok      ok      ok
""")

# Contributing (posting, adding, answering): active members of a community that is not archived; people who see
# the content but are not members get 403, outsiders of a private community 404.
MEMBERS_WRITE = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      ok         ok   ok          403         403     403     403
private  login 404      ok         ok   ok          404         403     404     403
archived login 403      403        403  403         403         403     403     403
""")

# Managing membership and settings: the community's coordinators, while it is not archived.
MANAGE = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        403  ok          403         403     403     403
private  login 404      403        403  ok          404         403     404     403
archived login 403      403        403  403         403         403     403     403
""")

# The core group's work (scheduling and changing activities, harvesting and recommending): the community's
# coordinators and core group members while it is not archived; sponsors, staff and other members 403.
CORE_GROUP = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        ok   ok          403         403     403     403
private  login 404      403        ok   ok          404         403     404     403
archived login 403      403        403  403         403         403     403     403
""")

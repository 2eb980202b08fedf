"""The matrix's rows for accounts (django-allauth: signing in and out, signing up, passwords, email addresses,
two-factor authentication, the identity provider) and the Django admin.

Rules: README "Accounts": signing up, logging in and resetting a password are for anyone (allauth sends people who
are signed in already on to the home page); changing one's password, one's addresses and one's second factors are
for signed-in people, and changing a second factor asks for the password again; allauth's rate limits stay on
(each role's POST names its own address where allauth counts per address). The admin (`/admin/`) is for staff only; everyone else is sent to the login page (one wildcard row, requested at
the admin's index; test_accounts.py walks every admin page without parameters).

Every URL here is outside a community (`site`). The world has nobody with a second factor, a third-party account,
an unverified address or a sign-in under way, so the pages that need one answer as allauth does without it (404,
or back to the login page). Where allauth answers with a status the matrix has no outcome for (401 on the
third-party error page, 301 on the legacy `accounts/social/` addresses) the cells are "-" here and
test_accounts.py checks them directly.
"""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings

from tests.authz.matrix import ADMIN_PREFIX, Row, grid, uniform
from tests.authz.rules import EVERYONE, NOT_ALLOWED, NOT_ALLOWED_SIGNED_IN, SIGNED_IN
from tests.factories import PASSWORD

# --- Shared grids -----------------------------------------------------------------------------------------------

# A form for people who are not signed in; who is signed in is sent on (a redirect, nothing written).
ANON_ONLY_POST = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
site     ok    no       no         no   no          no          no      no      no
""")

# Tried by anyone, answered in the page with the reason (a wrong password, a link that is not valid).
ANYONE_NO = uniform("no")

# Sent to the login page, whoever asks (nothing under way to complete, or just logged out).
TO_LOGIN = uniform("login")

# Signed in, but the page's object does not exist for them (no second factor set up): 404.
SIGNED_IN_404 = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
site     login 404      404        404  404         404         404     404     404
""")

# Signed in, and answered in the page (a form with errors, or sent to the password form first): nothing written.
SIGNED_IN_NO = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
site     login no       no         no   no          no          no      no      no
""")

# The admin: staff only; everyone else is sent to a login page (the admin's own, which then answers 403 to
# someone signed in who is not staff).
STAFF_ADMIN = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
site     login login    login      login login      login       login   login   ok
""")

# Checked by test_accounts.py: the matrix has no outcome for 401 or 301.
ELSEWHERE = uniform("-")

NEW_PASSWORD = "a-new-matrix-password-42"


def site(row: Row) -> Row:
    row.in_community = False
    return row


def reset_link(user) -> dict:
    return {"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)}


def own_email(c) -> str:
    """The requester's own address (the anonymous visitor's: one no account has)."""
    return c.user.email if c.user else "nobody@matrix.example"


OIDC_APPS = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])


def oidc_provider(c) -> dict:
    """The configured identity provider's id, else one nobody configured (then every request is a 404)."""
    return {"provider_id": OIDC_APPS[0]["provider_id"] if OIDC_APPS else "matrix-no-such-provider"}


# Without a provider (the test settings), a 404 for everyone. With one, its start page posts to the provider (which
# a test cannot reach) and its return address answers 401: test_accounts.py checks that case.
NO_PROVIDER = uniform("404") if not OIDC_APPS else ELSEWHERE


# allauth's legacy addresses (unnamed) and where they send everyone, permanently (301).
LEGACY_SOCIAL = {
    "accounts/social/login/cancelled/": "socialaccount_login_cancelled",
    "accounts/social/login/error/": "socialaccount_login_error",
    "accounts/social/signup/": "socialaccount_signup",
    "accounts/social/connections/": "socialaccount_connections",
}

ROWS = [
    site(row)
    for row in [
        # --- Signing in and out ---------------------------------------------------------------------------------
        # Anyone may try to sign in; a wrong password answers in the form and writes nothing. Who is signed in
        # is sent on to the home page (GET "ok": a redirect; POST "no": nothing happens).
        Row(
            "account_login",
            GET=EVERYONE,
            POST=ANYONE_NO,
            target="wrong password",
            body=lambda c: {"login": c.world.people["outsider"].email, "password": "not-the-password"},
        ),
        # The right password signs the visitor in (the last login is recorded on the account).
        Row(
            "account_login",
            GET=EVERYONE,
            POST=ANON_ONLY_POST,
            target="right password",
            body=lambda c: {"login": c.world.people["outsider"].email, "password": PASSWORD},
            writes=("members_user",),
        ),
        # Logging out: who is signed in gets the confirmation page; a POST ends the session, and everyone is
        # then sent to the login page (ACCOUNT_LOGOUT_REDIRECT_URL), so the matrix sees "login" (test_accounts.py
        # checks the session really ended).
        Row(
            "account_logout",
            GET=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
site     login ok       ok         ok   ok          ok          ok      ok      ok
"""),
            POST=TO_LOGIN,
        ),
        # The page an inactive account is sent to: for anyone, read only.
        Row("account_inactive", GET=EVERYONE, POST=NOT_ALLOWED),
        # A step of a sign-in under way (code sign-in is off, and nobody is signing in): the visitor is sent back
        # to the login page, who is signed in on to the home page.
        Row("account_confirm_login_code", GET=SIGNED_IN, POST=SIGNED_IN_NO, body={"code": "ABCDEF"}),
        # --- Signing up -----------------------------------------------------------------------------------------
        # Anyone not signed in may sign up (an account, its address and its profile); who is signed in is sent on.
        Row(
            "account_signup",
            GET=EVERYONE,
            POST=ANON_ONLY_POST,
            body={
                "full_name": "Nia Newcomer",
                "email": "nia.newcomer@matrix.example",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
            writes=("members_user", "account_emailaddress", "members_profile"),
        ),
        # --- Confirming again who one is ------------------------------------------------------------------------
        # Signed-in people confirm their password before a sensitive change; it is kept in the session only.
        Row(
            "account_reauthenticate",
            GET=SIGNED_IN,
            POST=SIGNED_IN,
            body={"password": PASSWORD},
        ),
        # Or by a code mailed to one of one's own verified addresses (allauth's default alongside the password):
        # asking for it mails the code and keeps the step in the session, writing nothing.
        Row(
            "account_request_reauthentication_code",
            GET=SIGNED_IN,
            POST=SIGNED_IN,
            body=lambda c: {"recipient": own_email(c)},
        ),
        # Typing the code with none asked for: sent to ask for one (GET), nothing happens (POST).
        Row(
            "account_confirm_reauthentication_code",
            GET=SIGNED_IN,
            POST=SIGNED_IN_NO,
            body={"code": "ABCDEF"},
        ),
        # --- Email addresses ------------------------------------------------------------------------------------
        # One's own addresses: signed-in people; adding one stores it (unverified) and mails a link.
        Row(
            "account_email",
            GET=SIGNED_IN,
            POST=SIGNED_IN,
            body=lambda c: {"action_add": "", "email": f"second.{c.role}@matrix.example"},
            writes=("account_emailaddress",),
        ),
        # "Check your inbox": for anyone, read only.
        Row("account_email_verification_sent", GET=EVERYONE, POST=NOT_ALLOWED),
        # A confirmation link that is not valid (forged, or for an address verified already: allauth looks up
        # unverified addresses only): the page says so (GET), confirming it is a 404 (POST). The world has no
        # unverified address to make a valid link for.
        Row(
            "account_confirm_email",
            GET=ANYONE_NO,
            POST=uniform("404"),
            params=lambda c: {"key": "matrix-forged-key"},
        ),
        # --- Passwords ------------------------------------------------------------------------------------------
        # Changing one's password: signed-in people, with their current password.
        Row(
            "account_change_password",
            GET=SIGNED_IN,
            POST=SIGNED_IN,
            body={"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            writes=("members_user",),
        ),
        # Setting a first password: everyone in the world has one, so they are sent to "change password".
        Row(
            "account_set_password",
            GET=SIGNED_IN,
            POST=SIGNED_IN_NO,
            body={"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        ),
        # Asking for a reset link: anyone, signed in or not; it mails the link and writes nothing. Each role asks
        # for its own address (allauth limits requests per address).
        Row(
            "account_reset_password",
            GET=EVERYONE,
            POST=EVERYONE,
            body=lambda c: {"email": own_email(c)},
        ),
        Row("account_reset_password_done", GET=EVERYONE, POST=NOT_ALLOWED),
        # A reset link that is not valid: the page says so, nothing is changed.
        Row(
            "account_reset_password_from_key",
            GET=ANYONE_NO,
            POST=ANYONE_NO,
            target="forged key",
            params=lambda c: {"uidb36": user_pk_to_url_str(c.world.people["outsider"]), "key": "abc-forged"},
            body={"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        ),
        # A valid link (the outsider's): allauth moves the key into the session and redirects to the form (GET);
        # a POST to the link itself does the same and changes no password.
        Row(
            "account_reset_password_from_key",
            GET=EVERYONE,
            POST=ANYONE_NO,
            target="valid key",
            params=lambda c: reset_link(c.world.people["outsider"]),
            body={"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        ),
        Row("account_reset_password_from_key_done", GET=EVERYONE, POST=NOT_ALLOWED),
        # --- Two-factor authentication --------------------------------------------------------------------------
        # The overview: signed-in people, read only.
        Row("mfa_index", GET=SIGNED_IN, POST=NOT_ALLOWED_SIGNED_IN),
        # The second step of a sign-in: as for the code above (the visitor to the login page, others on).
        Row("mfa_authenticate", GET=SIGNED_IN, POST=SIGNED_IN_NO, body={"code": "123456"}),
        # Confirming with a second factor: nobody has one, so signed-in people are sent to the password form.
        Row("mfa_reauthenticate", GET=SIGNED_IN, POST=SIGNED_IN_NO, body={"code": "123456"}),
        # Turning on an authenticator app or new recovery codes asks for the password first (the matrix's
        # sessions have not just given it): GET is sent to the password form, a POST writes nothing.
        Row("mfa_activate_totp", GET=SIGNED_IN, POST=SIGNED_IN_NO, body={"code": "123456"}),
        Row("mfa_generate_recovery_codes", GET=SIGNED_IN, POST=SIGNED_IN_NO),
        # Turning off the app, seeing or downloading recovery codes: nobody has any, 404.
        Row("mfa_deactivate_totp", GET=SIGNED_IN_404, POST=SIGNED_IN_404),
        Row("mfa_view_recovery_codes", GET=SIGNED_IN_404, POST=NOT_ALLOWED_SIGNED_IN),
        Row("mfa_download_recovery_codes", GET=SIGNED_IN_404, POST=SIGNED_IN_404),
        # --- Third-party sign-in --------------------------------------------------------------------------------
        # Pages a provider sends people back to: for anyone, read only. The error page answers 401 (checked in
        # test_accounts.py).
        Row("socialaccount_login_cancelled", GET=EVERYONE, POST=NOT_ALLOWED),
        Row("socialaccount_login_error", GET=ELSEWHERE, POST=NOT_ALLOWED),
        # Completing a third-party sign-up: nothing under way, back to the login page.
        Row("socialaccount_signup", GET=TO_LOGIN, POST=TO_LOGIN, body={"email": "nia@matrix.example"}),
        # One's connected accounts: signed-in people; disconnecting one they do not have answers in the form.
        Row("socialaccount_connections", GET=SIGNED_IN, POST=SIGNED_IN_NO, body={"account": "0"}),
        # The identity provider's start and return: 404 when no provider of that id is configured.
        Row(
            "openid_connect_login",
            GET=NO_PROVIDER,
            POST=NO_PROVIDER,
            params=oidc_provider,
        ),
        Row(
            "openid_connect_callback",
            GET=NO_PROVIDER,
            POST=NO_PROVIDER,
            params=oidc_provider,
        ),
        # allauth's old addresses redirect everyone permanently to the new ones (checked in test_accounts.py).
        *(Row(route, GET=ELSEWHERE, POST=ELSEWHERE) for route in LEGACY_SOCIAL),
        # --- The admin ------------------------------------------------------------------------------------------
        # Staff only; everyone else is sent to log in (test_accounts.py walks every admin page).
        Row(ADMIN_PREFIX, GET=STAFF_ADMIN, POST=STAFF_ADMIN),
    ]
]


MATRIX_ROWS = [row for row in ROWS if row.name not in LEGACY_SOCIAL]
"""The rows the matrix requests (the legacy addresses have no name to reverse)."""

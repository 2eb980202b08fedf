"""The authorization matrix for accounts (allauth) and the admin (see tests/authz/table_accounts.py), and what the
matrix cannot express: statuses it has no outcome for (401, 301), that logging out ends the session, and every
page of the admin rather than its index only."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.authz.matrix import Writes, cases, walk
from tests.authz.table_accounts import LEGACY_SOCIAL, MATRIX_ROWS
from tests.authz.world import MARKER, ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("row", "kind", "cells"), cases(MATRIX_ROWS))
def test_route(check, row, kind, cells):
    """Every role gets the row's expected outcome by GET and POST, writes nothing when refused, leaks nothing."""
    check(row, kind, cells)


def _request(world, clients, user, method, path):
    """One request in a rolled-back savepoint: (response, body text, statements written)."""
    client = clients.for_user(user)
    writes = Writes()
    with transaction.atomic():
        with connection.execute_wrapper(writes):
            response = client.get(path) if method == "GET" else client.post(path, {})
        transaction.set_rollback(True)
    clients.after(user, response)
    return response, response.content.decode("utf-8", errors="replace"), writes.statements


def _leaks(world, user, text):
    return MARKER in text and not world.may_see_private(user)


def test_legacy_social_addresses_redirect_permanently(world, clients):
    """allauth's old `accounts/social/...` addresses send everyone, by any method, to the new ones (301)."""
    wrong = []
    for route, name in LEGACY_SOCIAL.items():
        for role in ROLES:
            user = world.person(role, None)
            for method in ("GET", "POST"):
                response, text, written = _request(world, clients, user, method, f"/{route}")
                location = response.headers.get("Location")
                if response.status_code != 301 or location != reverse(name):
                    wrong.append(f"{method} {route} as {role}: {response.status_code} to {location}")
                if written or _leaks(world, user, text):
                    wrong.append(f"{method} {route} as {role}: wrote {written} or leaked")
    assert not wrong, "\n".join(wrong)


def test_third_party_error_page_answers_401_to_everyone(world, clients):
    """The page a failed third-party sign-in lands on: 401 for everyone, nothing written, nothing shown."""
    path = reverse("socialaccount_login_error")
    wrong = []
    for role in ROLES:
        user = world.person(role, None)
        response, text, written = _request(world, clients, user, "GET", path)
        if response.status_code != 401 or written or _leaks(world, user, text):
            wrong.append(f"GET as {role}: {response.status_code}, wrote {written}")
    assert not wrong, "\n".join(wrong)


def test_logging_out_ends_the_session(world):
    """A POST to log out sends the person to the login page and they are no longer signed in."""
    client = Client()
    client.force_login(world.people["outsider"])
    assert client.get(reverse("mfa_index")).status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse(settings.LOGIN_URL)
    after = client.get(reverse("mfa_index"))
    assert after.status_code == 302
    assert after.headers["Location"].startswith(reverse(settings.LOGIN_URL))


def test_reset_link_and_sign_in_code_are_mailed_to_the_address_only(world, mailoutbox):
    """The matrix's "ok" for asking for a reset link or a code writes nothing: the link goes by mail to the
    address asked for, the code to the signed-in person's own verified address, and nothing else changes."""
    outsider = world.people["outsider"]
    writes = Writes()
    with transaction.atomic(), connection.execute_wrapper(writes):
        Client().post(reverse("account_reset_password"), {"email": outsider.email})
        client = Client()
        client.force_login(world.people["sponsor"])
        writes.statements.clear()  # signing in records the last login
        client.post(
            reverse("account_request_reauthentication_code"), {"recipient": world.people["sponsor"].email}
        )
        transaction.set_rollback(True)
    assert not writes.statements
    assert [mail.to for mail in mailoutbox] == [[outsider.email], [world.people["sponsor"].email]]


def test_identity_provider_pages_when_one_is_configured(world, settings):
    """With a provider configured, its start page (a button that posts to the provider) shows to anyone and the
    return address without the provider's answer is a 401; neither writes anything. (Posting the start page
    contacts the provider, which a test cannot.)"""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Acme Login",
                    "client_id": "copsite",
                    "secret": "s3cret",
                    "settings": {"server_url": "https://id.invalid"},
                }
            ]
        }
    }
    kwargs = {"provider_id": "sso"}
    for user in (None, world.people["outsider"]):
        client = Client()
        if user:
            client.force_login(user)
        writes = Writes()
        with transaction.atomic(), connection.execute_wrapper(writes):
            start = client.get(reverse("openid_connect_login", kwargs=kwargs))
            back = client.get(reverse("openid_connect_callback", kwargs=kwargs))
            transaction.set_rollback(True)
        assert (start.status_code, back.status_code) == (200, 401)
        assert not writes.statements
        assert MARKER not in start.content.decode() + back.content.decode()


# --- The admin, page by page ----------------------------------------------------------------------------------


def _admin_pages():
    """(name, path) of every admin page without parameters, and of each application's index."""
    pages = []
    for _route, name in walk():
        if not name or not name.startswith("admin:"):
            continue
        try:
            pages.append((name, reverse(name)))
        except NoReverseMatch:
            continue  # needs an object: covered by the same admin_view wrapper as the pages here
    labels = sorted({model._meta.app_label for model in admin.site._registry})
    pages += [("admin:app_list", reverse("admin:app_list", kwargs={"app_label": label})) for label in labels]
    return pages


# Records that only the services write (memberships start through the join flows, which record their history;
# the history, the participation ledger and the health snapshots are never typed in): their admins refuse "add".
NO_ADD = {
    "admin:communities_membership_add",
    "admin:communities_membershipevent_add",
    "admin:communities_participation_add",
    "admin:insights_snapshot_add",
}


def _admin_expectation(name, who):
    """What the admin answers a GET of the page: `who` is anon, member (signed in, not staff) or staff."""
    if name == "admin:logout":
        # Logging out of the admin takes a POST; who is not staff is sent to the admin's index (which then asks
        # them to log in).
        return ("redirect", reverse("admin:index")) if who != "staff" else ("status", 405)
    if name == "admin:login":
        # allauth's wrapper: the visitor signs in on the site's login page, a signed-in person who is not staff
        # is refused, staff go on to the index.
        return {
            "anon": ("redirect", reverse(settings.LOGIN_URL)),
            "member": ("status", 403),
            "staff": ("redirect", reverse("admin:index")),
        }[who]
    if who != "staff":
        return ("redirect", reverse("admin:login"))
    if name == "admin:autocomplete":
        return ("status", 403)  # without the field it completes, the autocomplete refuses
    if name in NO_ADD:
        return ("status", 403)
    return ("status", 200)


def test_every_admin_page_is_for_staff_only(world, clients):
    """Every admin page without parameters: the visitor and signed-in people who are not staff (an outsider and
    the private community's coordinator) are sent to log in and see nothing of it; staff get the page."""
    private = world.places["private"]
    people = [
        ("anon", "anon", None),
        ("member", "outsider", world.people["outsider"]),
        ("member", "private coordinator", private.people["coordinator"]),
        ("staff", "staff", world.people["staff"]),
    ]
    pages = _admin_pages()
    assert len(pages) > 40
    wrong = []
    for name, path in pages:
        for who, label, user in people:
            response, text, written = _request(world, clients, user, "GET", path)
            kind, expected = _admin_expectation(name, who)
            if kind == "redirect":
                location = response.headers.get("Location", "").split("?")[0]
                ok = response.status_code == 302 and location == expected
            else:
                ok = response.status_code == expected
            if not ok:
                wrong.append(
                    f"{name} {path} as {label}: {response.status_code} {response.headers.get('Location')}"
                )
            if written:
                wrong.append(f"{name} {path} as {label}: wrote {written[:2]}")
            if who != "staff" and MARKER in text:
                wrong.append(f"{name} {path} as {label}: shows the private community's content")
    assert not wrong, "\n".join(wrong)


def test_the_admin_login_page_refuses_who_is_not_staff(world, clients):
    """Where the admin sends a signed-in person who is not staff: 403, with nothing of the admin in it."""
    user = world.places["private"].people["coordinator"]
    response, text, written = _request(world, clients, user, "GET", reverse("admin:login"))
    assert response.status_code == 403
    assert not written
    assert MARKER not in text
    assert "Site administration" not in text

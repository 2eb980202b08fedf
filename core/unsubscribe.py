"""One-click unsubscribe links: a signed token names the person and the kind of mail, so no login is needed.

Tokens do not expire (a link in an old mail still works) and cannot be forged or moved to another kind.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

# Named for where this module was first written: links in mail already sent are signed with it.
SALT = "members.unsubscribe"


def unsubscribe_token(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) from a token, or None when it was tampered with."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("k"), str):
        return None
    return data["u"], data["k"]


def unsubscribe_url(user_id: int, kind: str) -> str:
    """The absolute link (SITE_URL) a mail of `kind` carries for its recipient."""
    path = reverse("members:unsubscribe", args=[unsubscribe_token(user_id, kind)])
    return f"{settings.SITE_URL.rstrip('/')}{path}"

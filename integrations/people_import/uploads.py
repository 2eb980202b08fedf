"""An uploaded file kept between its preview and its apply, without trusting the browser with it.

The file's bytes wait in the cache (shared by every web process, Redis in production) under a random key, for
an hour at most. The preview page carries only a signed reference: the key, the file's SHA-256, the plan's
digest and who previewed it. The apply reads the file back, checks the hash and the previewer, and asks the
service to apply the plan only if it is still the one previewed.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache

KEEP_SECONDS = 60 * 60
_SALT = "integrations.people_import.upload"


@dataclass(frozen=True)
class KeptUpload:
    """A previewed file read back: its bytes, its name and the digest of the plan shown for it."""

    data: bytes
    filename: str
    plan_digest: str
    reference: str


class UploadLost(Exception):
    """The reference is forged, expired, someone else's, or its file is gone or altered."""


def _cache_key(key: str) -> str:
    return f"people-import:{key}"


def upload_keep(*, data: bytes, filename: str, plan_digest: str, user_pk: int) -> str:
    """Keep `data` for the apply; return the signed reference the page posts back."""
    key = secrets.token_urlsafe(24)
    cache.set(_cache_key(key), data, timeout=KEEP_SECONDS)
    return signing.dumps(
        {
            "key": key,
            "sha256": hashlib.sha256(data).hexdigest(),
            "plan": plan_digest,
            "user": user_pk,
            "name": filename[:200],
        },
        salt=_SALT,
    )


def upload_kept(*, reference: str, user_pk: int) -> KeptUpload:
    """The file a reference names, exactly as previewed by `user_pk`; `UploadLost` otherwise."""
    try:
        signed = signing.loads(reference, salt=_SALT, max_age=KEEP_SECONDS)
    except signing.BadSignature:
        raise UploadLost from None
    if signed.get("user") != user_pk:
        raise UploadLost
    data = cache.get(_cache_key(signed["key"]))
    if data is None or hashlib.sha256(data).hexdigest() != signed["sha256"]:
        raise UploadLost
    return KeptUpload(data=data, filename=signed["name"], plan_digest=signed["plan"], reference=reference)


def upload_forget(*, reference: str) -> None:
    """Delete a kept file (after it was applied)."""
    try:
        signed = signing.loads(reference, salt=_SALT)
    except signing.BadSignature:
        return
    cache.delete(_cache_key(signed["key"]))

"""Rate limits on the pages that cost the most or send mail: one decorator, the numbers in settings.RATE_LIMITS.

Each limit counts requests in fixed windows (a minute, ten minutes, an hour: the period of its rate) in the cache:
`cache.add` starts a window's counter and `cache.incr` counts, both atomic on Redis (production, tests) and on
the in-process cache of `make run` (one process). A window's key names the window and outlives it a little, so a
counter can neither expire between the two calls nor carry over into the next window.

Who is counted: the signed-in person; the token in the URL for calendar feeds (calendar services fetch from
shared addresses, so an address would lump many people together); the client's address for anyone signed out,
read the way allauth reads it for its sign-in limits (so its proxy settings apply to both). Past the limit the
request gets `too_many_requests`, the one 429 response of the site (allauth's limits answer with it too:
copsite.urls.handler429).
"""

import hashlib
import ipaddress
import time
from collections.abc import Callable, Iterable
from functools import wraps

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

WINDOW_MARGIN_SECONDS = 5
"""How long a window's counter outlives the window (clock differences between web processes)."""


def too_many_requests(request: HttpRequest, retry_after: int | None = None) -> HttpResponse:
    """The 429 page in the site's layout; `Retry-After` says when the window ends, where it is known."""
    response = render(request, "429.html", status=429)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def client_address(request: HttpRequest) -> str:
    """The client's address as allauth's sign-in limits see it; an IPv6 address by its /64 network, which one
    machine can fill."""
    address = get_adapter(request).get_client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def _counted_as(request: HttpRequest, token: str | None) -> str:
    if token is not None:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]  # the secret stays out of the cache
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"address:{client_address(request)}"


def over_limit(request: HttpRequest, scope: str, *, token: str | None = None) -> int | None:
    """Count this request against the `scope` limit: None while within it, else the seconds until it resets."""
    allowed, period = settings.RATE_LIMITS[scope]
    now = time.time()
    window = int(now // period)
    key = f"ratelimit:{scope}:{_counted_as(request, token)}:{window}"
    cache.add(key, 0, timeout=period + WINDOW_MARGIN_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted (or the cache cleared) in between: this request opens the window again
        cache.add(key, 1, timeout=period + WINDOW_MARGIN_SECONDS)
        count = 1
    if count <= allowed:
        return None
    return max(1, int((window + 1) * period - now + 0.999))


def rate_limited(scope: str, *, per: str | None = None, methods: Iterable[str] | None = None) -> Callable:
    """Limit a view to `settings.RATE_LIMITS[scope]` requests per period, answering `too_many_requests` beyond.

    `per` names the URL argument to count by (a calendar feed's token) instead of the person or address; `methods`
    limits only requests of those methods (e.g. only the POST that sends mail, not the form it comes from).
    Put it under `login_required`, so that a signed-out request is sent to sign in without being counted.
    """
    if scope not in settings.RATE_LIMITS:
        raise ImproperlyConfigured(f"rate_limited: no {scope!r} in settings.RATE_LIMITS")
    limited_methods = {method.upper() for method in methods} if methods else None

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if limited_methods is None or request.method in limited_methods:
                token = kwargs.get(per) if per else None
                retry_after = over_limit(request, scope, token=token)
                if retry_after is not None:
                    return too_many_requests(request, retry_after=retry_after)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

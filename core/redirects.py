"""Where a form sends a person back to: the `next` it carried, if that stays on this site."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The posted (else queried) `next` when it points inside this site over the request's scheme, else
    `fallback`: never an open redirect to another host, a `javascript:` address or a scheme downgrade."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback

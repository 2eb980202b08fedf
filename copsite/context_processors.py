"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest

from communities.selectors import sponsors_anything


def site(request: HttpRequest) -> dict:
    """Site name and URL, SSO state, and what the navigation shows to this user."""
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "SSO_ENABLED": settings.SSO_ENABLED,
        "SSO_ONLY": settings.SSO_ONLY,
        "OIDC_NAME": settings.OIDC_NAME,
        # A callable: asked only by pages that show the navigation (not by htmx fragments), and cached per user.
        "show_dashboard": lambda: bool(user and sponsors_anything(user)),
    }

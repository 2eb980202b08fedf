"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Site name and URL, SSO state, and what the navigation shows to this user."""
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "SSO_ENABLED": settings.SSO_ENABLED,
        "SSO_ONLY": settings.SSO_ONLY,
        "OIDC_NAME": settings.OIDC_NAME,
        "show_dashboard": bool(user and user.is_authenticated and user.is_staff),
    }

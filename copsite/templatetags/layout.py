"""The page's frame: `{% load layout %}`, then `{% site_header %}` (the navigation bar, in base.html)."""

from django import template
from django.conf import settings

from core.fragments import Facts
from insights.rules import may_preview_mail

register = template.Library()

_SITE_HEADER = Facts("includes/site_header.html")
# The part of the site a page is in, by the start of its address: that item of the navigation bar is marked.
SECTIONS = (
    ("/c/", "communities"),
    ("/calendar/", "calendar"),
    ("/library/", "library"),
    ("/members/", "members"),
    ("/dashboard/", "dashboard"),
)


def section_of(path: str) -> str:
    return next((name for prefix, name in SECTIONS if path.startswith(prefix)), "")


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    """The navigation bar for this viewer and page, made of its facts (`core.fragments.Facts`)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    facts = {
        "site_name": settings.SITE_NAME,
        "signed_in": signed_in,
        "query": str(context.get("query") or ""),
    }
    if signed_in:
        show_dashboard = context.get("show_dashboard")
        facts |= {
            "user_pk": user.pk,
            "initials": user.initials,
            "short_name": user.get_short_name(),
            "section": section_of(request.path),
            "show_dashboard": bool(show_dashboard() if callable(show_dashboard) else show_dashboard),
            "previews_mail": may_preview_mail(user),
            "sso_only": settings.SSO_ONLY,
        }
    return _SITE_HEADER(context.get("csrf_token") or "", **facts)

"""Views of activities: iCalendar downloads and subscription feeds, and the page that hands out the feed links.

Feeds are reached by the secret token in their URL (calendar apps cannot log in), so they neither need nor
touch a session: they never read `request.user`. Each feed runs a fixed number of queries whatever the data:
the token, the community and the viewer's membership where there is one, and the occurrences with their
activity and community (`activities.calendar.ical` groups them into series; the selectors say which).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.calendar import selectors, services
from activities.calendar.ical import calendar_for
from communities.access import get_community_for
from core.ratelimits import rate_limited
from core.viewer_zone import reads_no_session

FEED_MAX_AGE = 300


def _ics_response(body: bytes, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _feed_response(body: bytes) -> HttpResponse:
    """A feed: cached briefly by the calendar app only (it is personal), never by a shared proxy."""
    response = _ics_response(body)
    response["Cache-Control"] = f"private, max-age={FEED_MAX_AGE}"
    return response


def feed_url(name: str, **kwargs: str) -> str:
    """An absolute feed URL (calendar apps need the whole address)."""
    return f"{settings.SITE_URL}{reverse(f'activities:{name}', kwargs=kwargs)}"


@login_required
@require_GET
@rate_limited("feeds")
def occurrence_ics(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Download the .ics of the activity a date belongs to: the whole series, with its exceptions."""
    access = get_community_for(request.user, slug, content=True)
    series = selectors.series_for_download(community=access.community, pk=pk)
    activity = series[0].activity
    filename = f"{slugify(activity.title) or 'activity'}.ics"
    return _ics_response(
        calendar_for(series, name=f"{activity.title} ({access.community.name})"), filename=filename
    )


@reads_no_session
@require_http_methods(["GET", "HEAD"])
@rate_limited("feeds", per="token")
def my_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The member's personal feed: every date of every community they are an active member of."""
    user = selectors.user_for_feed_token(token)
    body = calendar_for(selectors.my_feed_occurrences(user), name=f"{settings.SITE_NAME}: my communities")
    return _feed_response(body)


@reads_no_session
@require_http_methods(["GET", "HEAD"])
@rate_limited("feeds", per="token")
def community_feed(request: HttpRequest, token: str, slug: str) -> HttpResponse:
    """One community's feed through a member's token: listed communities for any valid token, a private one
    only for its members, sponsors and staff (404 otherwise, as for the pages)."""
    user = selectors.user_for_feed_token(token)
    access = get_community_for(user, slug, content=True)
    community = access.community
    body = calendar_for(
        selectors.feed_occurrences([community.pk]),
        name=f"{community.name} ({settings.SITE_NAME})",
    )
    return _feed_response(body)


@login_required
@require_GET
def subscribe(request: HttpRequest) -> HttpResponse:
    """The member's feed links, to paste into Outlook, Google or Apple calendars, and a way to reset them."""
    token = services.calendar_token_for(user=request.user).token
    personal = feed_url("my_feed", token=token)
    communities = [
        {"community": community, "url": feed_url("community_feed", token=token, slug=community.slug)}
        for community in selectors.my_communities(request.user)
    ]
    context = {
        "personal_url": personal,
        # webcal:// makes Apple Calendar and desktop Outlook offer to subscribe.
        "personal_webcal": "webcal://" + personal.split("://", 1)[1],
        "community_feeds": communities,
    }
    return render(request, "activities/subscribe.html", context)


@login_required
@require_POST
def reset_token(request: HttpRequest) -> HttpResponse:
    """A new secret for the member's feed links; calendars subscribed with the old ones stop updating."""
    services.calendar_token_reset(user=request.user)
    messages.success(
        request,
        "Your calendar links are new. The old links stop working: subscribe your calendar apps again with "
        "the links below.",
    )
    return redirect("activities:subscribe")

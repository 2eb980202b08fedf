"""Staff previews of each digest and report: the real mail for a real recipient, stored nowhere and sent to no
one (`insights.previews` builds it)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.ratelimits import rate_limited
from insights.access import require_previewer
from insights.deliveries import DIGEST_KINDS
from insights.previews import Preview, build_preview, preview_community, preview_kind, recipient_id
from members.notifications import MAIL_KINDS, Frequency

# The policy of the framed HTML body: the mail's inline styles, nothing that runs, framed only by our pages.
MAIL_BODY_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox"
)


@require_GET
@login_required
def preview_list(request: HttpRequest) -> HttpResponse:
    """Every kind of digest and report, with a link to its preview for the first recipient it would reach."""
    require_previewer(request.user)
    labels = dict(Frequency.choices)
    kinds = [
        {
            "key": key,
            "kind": MAIL_KINDS[key],
            "frequencies": [labels[value] for value in DIGEST_KINDS[key].frequencies],
            "default": labels[MAIL_KINDS[key].default],
        }
        for key in sorted(DIGEST_KINDS)
        if key in MAIL_KINDS
    ]
    return render(request, "insights/preview_list.html", {"kinds": kinds})


@require_GET
@login_required
@rate_limited("exports")
def preview(request: HttpRequest, kind: str) -> HttpResponse:
    """One kind's mail for `?user=<id>` (default: the first who would receive it), `?community=<slug>` (its
    recipients only) and `?frequency=`; with `?body=html`, just the HTML body, for the page's frame."""
    require_previewer(request.user)
    digest, mail_kind = preview_kind(kind)
    asked_user = request.GET.get("user", "").strip()[:254]
    user_id = recipient_id(asked_user)
    slug = request.GET.get("community", "").strip()
    community = preview_community(slug)
    if user_id == 0:
        result = Preview(problem=f"Nobody at {settings.SITE_NAME} has the address {asked_user}.")
    else:
        result = build_preview(
            kind, user_id=user_id, community=community, frequency=request.GET.get("frequency", "")
        )
    if request.GET.get("body") == "html":
        if result.mail is None:
            raise Http404("No mail to show.")
        response = HttpResponse(result.html, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = MAIL_BODY_CSP
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response
    query = request.GET.copy()
    query["body"] = "html"
    if result.recipient is not None:
        query["user"] = str(result.recipient.pk)
        query["frequency"] = result.frequency
    if result.community is not None:
        query["community"] = result.community.slug
    context = {
        "kind": kind,
        "mail_kind": mail_kind,
        "frequencies": [(value, label) for value, label in Frequency.choices if value in digest.frequencies],
        "frequency_label": dict(Frequency.choices).get(result.frequency, result.frequency),
        "preview": result,
        "asked_user": asked_user,
        "asked_community": slug,
        "html_url": f"{reverse('insights:preview', args=[kind])}?{query.urlencode()}",
    }
    return render(request, "insights/preview.html", context)

"""The sponsor dashboard: a card per community the viewer sponsors (every community for staff), neediest first."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from communities.models import Stage
from communities.selectors import sponsors_anything
from core.viewer_zone import viewer_zone
from insights.selectors import TREND_WEEKS, dashboard_page

CARDS_PER_PAGE = 24


class DashboardFilterForm(forms.Form):
    """The dashboard's filters (GET). Everyone may include archived communities; staff also filter by stage and
    name, since they see every community."""

    q = forms.CharField(label="Name", required=False, max_length=100)
    stage = forms.ChoiceField(label="Stage", required=False, choices=[("", "Any stage"), *Stage.choices])
    archived = forms.BooleanField(label="Include archived communities", required=False)


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Cards sorted by the attention their health checks ask for, over all the viewer's communities, then paged.

    Only sponsors and staff have a dashboard (the navigation shows its entry to them alone); anyone else gets a
    403 page that says so and where to look instead.
    """
    viewer = request.user
    if not sponsors_anything(viewer):
        return render(request, "insights/dashboard.html", {"no_dashboard": True}, status=403)
    form = DashboardFilterForm(request.GET)
    form.is_valid()  # a malformed filter is ignored (and shown as an error), not a 400
    filters = getattr(form, "cleaned_data", {})
    include_archived = bool(filters.get("archived"))
    stage = (filters.get("stage") or "") if viewer.is_staff else ""
    query = (filters.get("q") or "").strip() if viewer.is_staff else ""
    page = dashboard_page(
        viewer,
        number=request.GET.get("page"),
        per_page=CARDS_PER_PAGE,
        include_archived=include_archived,
        stage=stage,
        q=query,
    )
    context = {
        "form": form,
        "page": page,
        "filtered": bool(include_archived or stage or query),
        "narrowed": bool(stage or query),
        "stages": Stage.choices,
        "trend_weeks": TREND_WEEKS,
        "zone": viewer_zone(viewer),
    }
    return render(request, "insights/dashboard.html", context)

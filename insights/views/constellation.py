"""The constellation page: communities as a map of shared members, the same data as tables, boundary spanners and
the org-unit matrix. Every signed-in user sees it, made of the communities they may see."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from communities.models import Stage
from insights import constellation as constellations
from insights.constellation import DEFAULT_K, MAX_K, MIN_K, STAGE_COLOURS


class ConstellationForm(forms.Form):
    """The page's filters (GET). A malformed value is shown as an error and its default used instead."""

    k = forms.IntegerField(
        label="Linked when they share at least",
        required=False,
        min_value=MIN_K,
        max_value=MAX_K,
        help_text=f"From {MIN_K} to {MAX_K}. Fewer shared members draw more links.",
        error_messages={
            "invalid": f"Enter a whole number of members from {MIN_K} to {MAX_K}.",
            "min_value": f"Enter a whole number of members from {MIN_K} to {MAX_K}.",
            "max_value": f"Enter a whole number of members from {MIN_K} to {MAX_K}.",
        },
    )
    unit = forms.TypedChoiceField(
        label="Members from", required=False, coerce=int, empty_value=None, choices=()
    )
    topic = forms.TypedChoiceField(label="Topic", required=False, coerce=int, empty_value=None, choices=())
    stage = forms.TypedChoiceField(
        label="Stage", required=False, empty_value=None, choices=[("", "Any stage"), *Stage.choices]
    )
    archived = forms.BooleanField(label="Include archived communities", required=False)

    def __init__(self, *args, topics: list, org_units: list[tuple[int, str]], **kwargs) -> None:
        kwargs.pop("divisions", None)
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "Any org unit"), *org_units]
        self.fields["topic"].choices = [("", "Any topic"), *((tag.pk, tag.name) for tag in topics)]
        self.fields["unit"].error_messages["invalid_choice"] = "Choose an org unit from the list."
        self.fields["topic"].error_messages["invalid_choice"] = "Choose a topic from the list."
        self.fields["stage"].error_messages["invalid_choice"] = "Choose a stage from the list."

    def offer(self, shown: dict) -> None:
        """Offer only `shown`'s choices in the lists (every choice stays valid)."""
        self.fields["unit"].shown = [("", "Any org unit"), *shown["org_units"]]
        self.fields["topic"].shown = [("", "Any topic"), *shown["topics"]]
        self.fields["stage"].shown = self.fields["stage"].choices


def _page_number(request: HttpRequest, name: str) -> int:
    """A page number from the query string; anything else is the first page (as Paginator.get_page does)."""
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) < 10**6 else 1


@require_GET
@login_required
def constellation(request: HttpRequest) -> HttpResponse:
    """How communities connect through the people they share, for the communities the viewer may see."""
    choices = constellations.filter_choices(request.user)
    form = ConstellationForm(request.GET, **choices)
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    k = filters.get("k") or DEFAULT_K
    unit_id = filters.get("unit")
    topic_id = filters.get("topic")
    shown = constellations.shown_choices(choices, unit_id=unit_id, topic_id=topic_id)
    form.offer(shown)
    stage = filters.get("stage")
    include_archived = bool(filters.get("archived"))
    result = constellations.constellation(
        request.user,
        k=k,
        org_unit_id=unit_id,
        topic_id=topic_id,
        stage=stage,
        include_archived=include_archived,
        page=_page_number(request, "page"),
        spanner_page=_page_number(request, "spanners"),
    )
    context = {
        "form": form,
        "k": k,
        "default_k": DEFAULT_K,
        "constellation": result,
        "unit_name": dict(choices["org_units"]).get(unit_id, "").strip() if unit_id else "",
        "topic_name": next((tag.name for tag in choices["topics"] if tag.pk == topic_id), ""),
        "stage_name": Stage(stage).label if stage else "",
        "shown": shown,
        "filtered": bool(unit_id or topic_id or stage or include_archived or k != DEFAULT_K),
        "stages": [(stage, label, STAGE_COLOURS[stage]) for stage, label in Stage.choices],
        "limits": {
            "map_nodes": constellations.MAP_NODES,
            "map_edges": constellations.MAP_EDGES,
            "edge_rows": constellations.EDGE_ROWS,
            "matrix_columns": constellations.MATRIX_COLUMNS,
            "matrix_rows": constellations.MATRIX_ROWS,
            "spanners": constellations.SPANNERS,
            "community_rows": constellations.COMMUNITY_ROWS,
        },
    }
    return render(request, "insights/constellation.html", context)

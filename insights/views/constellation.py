"""The constellation page: communities as a map of shared members, the same data as tables, boundary spanners and
the org-unit matrix. Every signed-in user sees it, made of the communities they may see."""

import hashlib

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from communities.models import Stage
from core import fragments
from insights import constellation as constellations
from insights.constellation import DEFAULT_K, MAX_K, MIN_K, STAGE_COLOURS

TEMPLATE = "insights/constellation.html"


class ListedChoiceField(forms.TypedChoiceField):
    """A choice among many (hundreds of org units, thousands of topics), checked against the set of their values
    (`values`) rather than a list of choices: the template offers only `shown` (see `ConstellationForm.offer`)."""

    values: frozenset[str] = frozenset()

    def valid_value(self, value: str) -> bool:  # the query string's text (`to_python` made it one)
        return value in self.values


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
    unit = ListedChoiceField(label="Members from", required=False, coerce=int, empty_value=None)
    topic = ListedChoiceField(label="Topic", required=False, coerce=int, empty_value=None)
    stage = forms.TypedChoiceField(
        label="Stage", required=False, empty_value=None, choices=[("", "Any stage"), *Stage.choices]
    )
    archived = forms.BooleanField(label="Include archived communities", required=False)

    def __init__(self, *args, topics: list, org_units: list[tuple[int, str]], **kwargs) -> None:
        kwargs.pop("divisions", None)
        super().__init__(*args, **kwargs)
        self.fields["unit"].values = frozenset(str(pk) for pk, _ in org_units)
        self.fields["topic"].values = frozenset(str(tag.pk) for tag in topics)
        self.fields["unit"].error_messages["invalid_choice"] = "Choose an org unit from the list."
        self.fields["topic"].error_messages["invalid_choice"] = "Choose a topic from the list."
        self.fields["stage"].error_messages["invalid_choice"] = "Choose a stage from the list."

    def offer(self, shown: dict) -> None:
        """Offer only `shown`'s choices in the lists (every choice stays valid), each as (value, label, selected):
        selected when it is the value the query string gave, compared as text."""
        offered = {
            "unit": [("", "Any org unit"), *shown["org_units"]],
            "topic": [("", "Any topic"), *shown["topics"]],
            "stage": self.fields["stage"].choices,
        }
        for name, choices in offered.items():
            given = f"{self[name].value()}"
            self.fields[name].shown = [(value, label, f"{value}" == given) for value, label in choices]


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
    shared = {
        "k": k,
        "constellation": result,
        "c": result,
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
    context = {
        **shared,
        "form": form,
        "default_k": DEFAULT_K,
        "unit_name": dict(choices["org_units"]).get(unit_id, "").strip() if unit_id else "",
        "topic_name": next((tag.name for tag in choices["topics"] if tag.pk == topic_id), ""),
        "stage_name": Stage(stage).label if stage else "",
        "shown": shown,
        "filtered": bool(unit_id or topic_id or stage or include_archived or k != DEFAULT_K),
        "fragments": _fragments(result, shared),
    }
    return render(request, TEMPLATE, context)


def _fragments(result: constellations.Constellation, context: dict) -> dict[str, SafeString]:
    """The map and the tables: the same for everyone who sees these communities with these filters, so rendered
    once per version of what they show (`result.version`, the page's template and the language; no times) and
    read from the cache in one round trip. Pagination links stay outside them (they hold the query string)."""
    if not result.node_count:
        return {}
    parts = [("map", ""), ("communities", result.page), ("matrix", "")]
    if result.edge_count:
        parts.append(("links", ""))
    if result.has_spanners:
        parts.append(("spanners", result.spanner_page))
    template = _template_version()
    html = fragments.many(
        "constellation",
        parts,
        render=lambda part: render_to_string(f"{TEMPLATE}#{part[0]}", context),
        version=lambda part: (
            (result.spanners_version if part[0] == "spanners" else result.version) + template
        ),
        row_key=lambda part: f"{part[0]}{part[1]}",
    )
    return {name: fragment for (name, _), fragment in zip(parts, html, strict=True)}


def _template_version() -> str:
    """A digest of the page's template, so that a deployment that changes its markup renders the fragments anew
    (the loader keeps the parsed template: this hashes a string in memory)."""
    source = get_template(TEMPLATE).template.source
    return hashlib.sha256(source.encode()).hexdigest()[:12]

"""Pages of communities."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
@login_required
def browse(request: HttpRequest) -> HttpResponse:
    """Communities."""
    return render(request, "communities/browse.html", {})

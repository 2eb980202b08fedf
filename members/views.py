"""Member directory and profile pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from members.selectors import directory_people, person_for_profile


@require_GET
@login_required
def directory(request: HttpRequest) -> HttpResponse:
    """Find an expert: people by name, job title and expertise, paginated."""
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(directory_people(query=query), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/directory.html", {"page": page, "query": query})


@require_GET
@login_required
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's profile."""
    person = person_for_profile(pk=pk)
    if person is None or (
        not person.profile.in_directory and person != request.user and not request.user.is_staff
    ):
        raise Http404("No such member")
    return render(request, "members/profile.html", {"person": person})

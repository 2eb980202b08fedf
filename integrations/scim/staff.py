"""Staff pages of the directory connections: list them, create one (its token shown once), revoke one, read its
audit log."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.access import require_staff
from integrations.models import DirectoryConnection
from integrations.scim import services, staff_selectors
from integrations.scim.forms import ConnectionForm


def _connection(request: HttpRequest, pk: int) -> DirectoryConnection:
    require_staff(request.user)
    connection = staff_selectors.connection_with_pk(pk)
    if connection is None:
        raise Http404("No such connection.")
    return connection


def _scim_base_url(request: HttpRequest) -> str:
    config = reverse("integrations:scim_service_provider_config")
    return request.build_absolute_uri(config.removesuffix("ServiceProviderConfig"))


@require_GET
@login_required
def connections(request: HttpRequest) -> HttpResponse:
    """Every connection, live or revoked, with when it was last used."""
    require_staff(request.user)
    return render(
        request,
        "integrations/connections.html",
        {"connections": staff_selectors.connections(), "scim_base_url": _scim_base_url(request)},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def connection_create(request: HttpRequest) -> HttpResponse:
    """A new connection; its token is shown on the answer to the POST, once."""
    require_staff(request.user)
    form = ConnectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            connection, token = services.connection_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(
                request,
                "integrations/connection_created.html",
                {"connection": connection, "token": token, "scim_base_url": _scim_base_url(request)},
            )
    return render(request, "integrations/connection_form.html", {"form": form})


@require_POST
@login_required
def connection_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    connection = _connection(request, pk)
    if services.connection_revoke(actor=request.user, connection=connection):
        messages.success(request, f"{connection.name}'s token was revoked: it provisions nothing any more.")
    else:
        messages.info(request, f"{connection.name}'s token was already revoked.")
    return redirect("integrations:directory_connections")


@require_GET
@login_required
def connection_audit(request: HttpRequest, pk: int) -> HttpResponse:
    """What a connection changed, newest first, a page at a time."""
    connection = _connection(request, pk)
    page = Paginator(staff_selectors.audit_of(connection), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "integrations/connection_audit.html", {"connection": connection, "page": page})

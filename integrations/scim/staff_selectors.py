"""Reads of the staff pages of directory connections."""

from django.db.models import Count, F, QuerySet

from integrations.models import AuditEntry, DirectoryConnection


def connections() -> QuerySet:
    """Every connection with its creator and how many people it provisioned, live ones first."""
    return (
        DirectoryConnection.objects.select_related("created_by")
        .annotate(people_count=Count("people"))
        .order_by(F("revoked_at").asc(nulls_first=True), "name")
    )


def connection_with_pk(pk: int) -> DirectoryConnection | None:
    return DirectoryConnection.objects.filter(pk=pk).first()


def audit_of(connection: DirectoryConnection) -> QuerySet:
    return AuditEntry.objects.filter(connection=connection).select_related("user").order_by("-at", "-pk")

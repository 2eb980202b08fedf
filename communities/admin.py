"""Admin for communities. Membership changes belong to the coordinators' pages and the services behind them,
which check who may make them and record the history: the admin shows memberships read-only, with a link to the
community's page where they are managed; the admin is for staff repairs."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from communities.models import (
    Community,
    EmailInvitation,
    Membership,
    MembershipEvent,
    Participation,
    Sponsorship,
)
from communities.services import member_deactivate
from core.forms import refusal_text
from core.rules import Refused
from members.admin import UserAdmin
from members.models import User


class SponsorshipInline(admin.TabularInline):
    model = Sponsorship
    extra = 0
    autocomplete_fields = ["sponsor"]
    exclude = ["created_by"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "stage", "join_policy", "visibility", "needs_coordinator", "archived_at"]
    list_filter = ["stage", "join_policy", "visibility", "needs_coordinator"]
    search_fields = ["name", "domain"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["topics"]
    inlines = [SponsorshipInline]
    readonly_fields = ["created_at", "created_by"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Read-only: a status, level or role changed here would skip the rules and the membership history. Staff
    change memberships on the community's pages (appointing a coordinator where none is left, deactivating
    people who left), coordinators on its "Manage members" page."""

    list_display = ["user", "community", "status", "level", "role", "joined_at", "managed_at"]
    list_filter = ["status", "level", "role"]
    search_fields = ["user__full_name", "user__email", "community__name"]
    list_select_related = ["user", "community"]
    readonly_fields = ["managed_at"]

    @admin.display(description="Managed at")
    def managed_at(self, membership: Membership) -> str:
        url = reverse("communities:manage_members", args=[membership.community.slug])
        return format_html('<a href="{}">Manage the members of {}</a>', url, membership.community.name)

    def has_add_permission(self, request) -> bool:
        return False  # memberships start through the join flows, which record history

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MembershipEvent)
class MembershipEventAdmin(admin.ModelAdmin):
    list_display = ["at", "community", "user", "kind", "from_value", "to_value", "actor"]
    list_filter = ["kind"]
    search_fields = ["user__full_name", "community__name"]
    list_select_related = ["user", "community", "actor"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Participation)
class ParticipationAdmin(MembershipEventAdmin):
    list_display = ["at", "community", "user", "kind", "source"]
    list_select_related = ["user", "community"]


@admin.register(EmailInvitation)
class EmailInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "community", "created_at", "expires_at", "accepted_at"]
    search_fields = ["email", "community__name"]
    list_select_related = ["community"]
    exclude = ["token"]


@admin.action(description="Deactivate: left the organization (ends memberships)")
def deactivate_users(modeladmin, request, queryset) -> None:
    for user in queryset.filter(is_active=True):
        try:
            orphaned = member_deactivate(actor=request.user, user=user)
        except Refused as refusal:
            messages.error(request, refusal_text(refusal))
            continue
        note = f"; now without a coordinator: {', '.join(c.name for c in orphaned)}" if orphaned else ""
        messages.success(request, f"{user} deactivated{note}.")


class UserAdminWithDeactivation(UserAdmin):
    """The members app's user admin, plus the deactivation that ends memberships (communities sit above members)."""

    actions = [deactivate_users]

    def get_readonly_fields(self, request, obj=None):
        # Deactivating through the checkbox would skip ending memberships: use the action instead.
        return (
            [*super().get_readonly_fields(request, obj), "is_active"]
            if obj
            else super().get_readonly_fields(request, obj)
        )


admin.site.unregister(User)
admin.site.register(User, UserAdminWithDeactivation)

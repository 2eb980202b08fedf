"""Admin for activities (staff repairs; scheduling happens on the community's calendar pages)."""

from django.contrib import admin

from activities.models import Activity, CalendarToken, Occurrence, Rsvp


class OccurrenceInline(admin.TabularInline):
    model = Occurrence
    extra = 0
    fields = ["sequence", "start", "end", "cancelled", "cancel_reason"]
    readonly_fields = ["sequence"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "kind", "repeat", "capacity"]
    list_filter = ["kind", "repeat"]
    search_fields = ["title", "community__name"]
    list_select_related = ["community"]
    raw_id_fields = ["community", "created_by"]
    filter_horizontal = ["hosts"]
    inlines = [OccurrenceInline]


@admin.register(Rsvp)
class RsvpAdmin(admin.ModelAdmin):
    list_display = ["occurrence", "user", "answer", "waitlisted", "attended"]
    list_filter = ["answer", "waitlisted", "attended"]
    raw_id_fields = ["occurrence", "user"]
    list_select_related = ["occurrence__activity", "user"]


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    exclude = ["token"]

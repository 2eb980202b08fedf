"""Admin for insights: value stories can be corrected; snapshots are read-only (the task and the rebuild write them)."""

from django.contrib import admin

from insights.models import Snapshot, ValueStory


@admin.register(ValueStory)
class ValueStoryAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "cycle", "happened_on", "recorded_by"]
    list_filter = ["cycle"]
    search_fields = ["title", "story", "community__name"]
    raw_id_fields = ["community", "recorded_by"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["community", "day", "members", "active_members", "activities_held", "discussions"]
    list_filter = ["day"]
    search_fields = ["community__name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

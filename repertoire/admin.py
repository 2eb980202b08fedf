"""Admin for the repertoire (staff repairs; members add and edit resources on the library pages)."""

from django.contrib import admin

from repertoire.models import Application, Collection, CollectionItem, Resource, ResourceFile, Revision


class ResourceFileInline(admin.TabularInline):
    model = ResourceFile
    extra = 0
    fields = ["name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    fields = ["number", "title", "edited_by", "created_at", "note"]
    readonly_fields = fields
    can_delete = False


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "kind", "status", "applied_count", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "community__name"]
    list_select_related = ["community"]
    raw_id_fields = ["community", "created_by", "recommended_by", "source_discussion", "source_occurrence"]
    filter_horizontal = ["tags"]
    readonly_fields = ["applied_count"]
    exclude = ["authors"]
    inlines = [ResourceFileInline, RevisionInline]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["resource", "user", "created_at"]
    raw_id_fields = ["resource", "user"]
    list_select_related = ["resource", "user"]


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    extra = 0
    raw_id_fields = ["resource"]


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "created_at"]
    search_fields = ["title", "community__name"]
    list_select_related = ["community"]
    raw_id_fields = ["community", "created_by"]
    inlines = [CollectionItemInline]

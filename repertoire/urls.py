"""URLs for the repertoire, mounted at the site root: /library/ across communities, /c/<slug>/library/... per
community (so it comes before communities' own /c/ routes)."""

from django.urls import path

from repertoire.views import collections, harvest, history, library, resources

app_name = "repertoire"
urlpatterns = [
    path("library/", library.library, name="library"),
    path("c/<slug:slug>/library/", library.community_library, name="community_library"),
    path("c/<slug:slug>/library/new/", resources.add, name="add"),
    path("c/<slug:slug>/library/<int:pk>/", resources.resource, name="resource"),
    path("c/<slug:slug>/library/<int:pk>/edit/", resources.edit, name="edit"),
    path("c/<slug:slug>/library/<int:pk>/files/<int:file_pk>/", resources.download, name="download"),
    path("c/<slug:slug>/library/<int:pk>/apply/", resources.apply, name="apply"),
    path("c/<slug:slug>/library/<int:pk>/recommend/", resources.recommend, name="recommend"),
    path("c/<slug:slug>/library/<int:pk>/collect/", resources.add_to_collection, name="add_to_collection"),
    path("c/<slug:slug>/library/<int:pk>/history/", history.history, name="history"),
    path("c/<slug:slug>/library/<int:pk>/history/restore/", history.restore, name="restore"),
    path("c/<slug:slug>/library/collections/", collections.collections, name="collections"),
    path("c/<slug:slug>/library/collections/<int:pk>/", collections.collection, name="collection"),
    path("c/<slug:slug>/library/collections/<int:pk>/rename/", collections.rename, name="collection_rename"),
    path("c/<slug:slug>/library/collections/<int:pk>/delete/", collections.delete, name="collection_delete"),
    path(
        "c/<slug:slug>/library/collections/<int:pk>/remove/",
        collections.remove_item,
        name="collection_remove",
    ),
    path("c/<slug:slug>/library/collections/<int:pk>/move/", collections.move_item, name="collection_move"),
    path("c/<slug:slug>/library/harvest/", harvest.harvest, name="harvest"),
    path(
        "c/<slug:slug>/library/harvest/discussions/<int:pk>/",
        harvest.harvest_discussion,
        name="harvest_discussion",
    ),
    path(
        "c/<slug:slug>/library/harvest/activities/<int:pk>/",
        harvest.harvest_occurrence,
        name="harvest_occurrence",
    ),
]

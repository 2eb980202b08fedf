"""URLs for the repertoire, mounted at the site root: /library/ across communities, /c/<slug>/library/... per
community (so it comes before communities' own /c/ routes)."""

from django.urls import path

from repertoire.views import collections, harvest, history, library, resources

app_name = "repertoire"

LIBRARY = "c/<slug:slug>/library/"
RESOURCE = f"{LIBRARY}<int:pk>/"
COLLECTION = f"{LIBRARY}collections/<int:pk>/"
HARVEST = f"{LIBRARY}harvest/"

urlpatterns = [
    path("library/", library.library, name="library"),
    path(LIBRARY, library.community_library, name="community_library"),
    path(f"{LIBRARY}new/", resources.add, name="add"),
    path(RESOURCE, resources.resource, name="resource"),
    path(f"{RESOURCE}edit/", resources.edit, name="edit"),
    path(f"{RESOURCE}files/<int:file_pk>/", resources.download, name="download"),
    path(f"{RESOURCE}apply/", resources.apply, name="apply"),
    path(f"{RESOURCE}recommend/", resources.recommend, name="recommend"),
    path(f"{RESOURCE}collect/", resources.add_to_collection, name="add_to_collection"),
    path(f"{RESOURCE}history/", history.history, name="history"),
    path(f"{RESOURCE}history/restore/", history.restore, name="restore"),
    path(f"{LIBRARY}collections/", collections.collections, name="collections"),
    path(COLLECTION, collections.collection, name="collection"),
    path(f"{COLLECTION}rename/", collections.rename, name="collection_rename"),
    path(f"{COLLECTION}delete/", collections.delete, name="collection_delete"),
    path(f"{COLLECTION}remove/", collections.change_item, {"action": "remove"}, name="collection_remove"),
    path(f"{COLLECTION}move/", collections.change_item, {"action": "move"}, name="collection_move"),
    path(HARVEST, harvest.harvest, name="harvest"),
    path(
        f"{HARVEST}discussions/<int:pk>/",
        harvest.harvest_from,
        {"source": "discussions"},
        name="harvest_discussion",
    ),
    path(
        f"{HARVEST}activities/<int:pk>/", harvest.harvest_from, {"source": "notes"}, name="harvest_occurrence"
    ),
]

"""SCIM's addresses (mounted by integrations/urls.py under the `integrations` namespace): the protocol under
/scim/v2/ and the staff pages of directory connections under /staff/directory/."""

from django.urls import path

from integrations.scim import staff, views

urlpatterns = [
    path(
        "scim/v2/ServiceProviderConfig",
        views.service_provider_config,
        name="scim_service_provider_config",
    ),
    path("scim/v2/ResourceTypes", views.resource_types, name="scim_resource_types"),
    path("scim/v2/ResourceTypes/<str:name>", views.resource_type, name="scim_resource_type"),
    path("scim/v2/Schemas", views.schemas, name="scim_schemas"),
    path("scim/v2/Schemas/<str:urn>", views.schema, name="scim_schema"),
    path("scim/v2/Users", views.users, name="scim_users"),
    path("scim/v2/Users/<str:scim_id>", views.user, name="scim_user"),
    path("scim/v2/Groups", views.groups, name="scim_groups"),
    path("scim/v2/Groups/<str:scim_id>", views.group, name="scim_group"),
    path("staff/directory/", staff.connections, name="directory_connections"),
    path("staff/directory/new/", staff.connection_create, name="directory_connection_create"),
    path("staff/directory/<int:pk>/revoke/", staff.connection_revoke, name="directory_connection_revoke"),
    path("staff/directory/<int:pk>/audit/", staff.connection_audit, name="directory_connection_audit"),
]

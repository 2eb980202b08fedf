"""SCIM's addresses (mounted by integrations/urls.py under the `integrations` namespace)."""

urlpatterns = []

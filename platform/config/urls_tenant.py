"""URLs of a provider's portal (the tenant's schema)."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("", include("portal.dashboard.urls")),
]

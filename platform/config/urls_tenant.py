"""URLs of a provider's portal (the tenant's schema)."""

from django.urls import include, path

from branding.styleguide import styleguide

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("settings/", include("branding.urls_portal")),
    path("branding/", include("branding.urls_assets")),
    path("", include("branding.urls_icons")),  # /favicon.ico and the portal's other icons
    path("clients/", include("portal.organisations.urls")),
    path("", include("portal.access.urls")),
    path("", include("portal.activity.urls")),
    path("comments/", include("portal.conversations.urls")),
    path("", include("portal.documents.urls")),
    path("", include("portal.requests.urls")),
    path("", include("portal.engagements.urls")),
    path("", include("portal.dashboard.urls")),
    path("api/", include("portal.api.urls")),
    path("settings/api-keys/", include("portal.api.settings_urls")),
    path("settings/webhooks/", include("portal.webhooks.urls")),
    path("_styleguide/", styleguide, name="styleguide"),  # development only: DEBUG or STYLEGUIDE_ENABLED
]

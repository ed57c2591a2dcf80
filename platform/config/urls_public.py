"""URLs of the root site (public schema): landing, accounts; signup and operators arrive with their issues."""

from django.urls import include, path

from accounts.views import recovery_codes

urlpatterns = [
    path("accounts/2fa/recovery-codes/", recovery_codes, name="mfa_view_recovery_codes"),  # see accounts.urls
    path("accounts/", include("allauth.urls")),
    path("", include("branding.urls_icons")),  # /favicon.ico and Portico's other icons
    path("", include("signup.urls")),
    path("", include("website.urls")),
]

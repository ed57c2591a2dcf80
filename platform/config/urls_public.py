"""URLs of the root site (public schema): landing, accounts; signup and operators arrive with their issues."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("", include("signup.urls")),
    path("", include("website.urls")),
]

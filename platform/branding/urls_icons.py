"""The site's icons, on both URLconfs (a portal's drawn from its brand, the root site's Portico's own): the
base templates link `favicon:svg`, `favicon:ico` and `favicon:touch`, each with `?v={{ favicon_version }}`
(branding.context_processors) so a rebrand gets new URLs. Browsers that read no link ask for `/favicon.ico`."""

from django.urls import path

from . import views

app_name = "favicon"
urlpatterns = [
    path("favicon.ico", views.favicon_ico, name="ico"),
    path("branding/favicon.svg", views.favicon_svg, name="svg"),
    path("branding/apple-touch-icon.png", views.touch_icon, name="touch"),
]

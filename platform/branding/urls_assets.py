from django.urls import path

from . import views

app_name = "branding_assets"
urlpatterns = [
    path("theme.css", views.theme_css, name="theme"),
    path("logo", views.logo, name="logo"),
]

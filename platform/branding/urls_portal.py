from django.urls import path

from . import views

app_name = "branding"
urlpatterns = [path("branding/", views.branding_settings, name="settings")]

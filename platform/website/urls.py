from django.urls import path

from . import inbox, views

app_name = "website"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("dev/inbox/", inbox.inbox, name="inbox"),
]

from django.urls import path

from portal.api import views

app_name = "api_keys"
urlpatterns = [
    path("", views.keys, name="list"),
    path("<int:api_key_id>/revoke/", views.key_revoke, name="revoke"),
]

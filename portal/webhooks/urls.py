from django.urls import path

from portal.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.endpoints, name="list"),
    path("<int:endpoint_id>/", views.endpoint, name="detail"),
    path("<int:endpoint_id>/test/", views.send_test, name="test"),
    path("<int:endpoint_id>/rotate/", views.rotate, name="rotate"),
    path("<int:endpoint_id>/replay/", views.replay, name="replay"),
    path("<int:endpoint_id>/deliveries/<int:delivery_id>/replay/", views.replay_one, name="replay_one"),
    path("<int:endpoint_id>/delete/", views.delete, name="delete"),
]

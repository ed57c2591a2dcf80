from django.urls import path

from . import views

app_name = "activity"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.mark_read, name="read_all"),
    path("notifications/<int:notification_id>/read/", views.mark_read, name="read"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("activity/", views.audit_log, name="audit_log"),
]

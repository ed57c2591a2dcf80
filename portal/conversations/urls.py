from django.urls import path

from . import views

app_name = "conversations"
urlpatterns = [
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<slug:type_code>/<int:target_id>/", views.add, name="add"),
    path("<slug:type_code>/<int:target_id>/mentions/", views.mentions, name="mentions"),
]

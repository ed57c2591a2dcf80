from django.urls import path

from . import views

app_name = "conversations"
urlpatterns = [
    path("<str:type_code>/<int:target_id>/", views.add, name="add"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]

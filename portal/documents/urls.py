from django.urls import path

from . import resumable_views, views

app_name = "documents"
urlpatterns = [
    path("clients/<int:org_id>/documents/", views.document_list, name="list"),
    path("clients/<int:org_id>/documents/folders/", views.folder_new, name="folder_new"),
    path("clients/<int:org_id>/documents/upload/", views.upload, name="upload"),
    path("documents/versions/<int:version_id>/download/", views.download, name="download"),
    path("documents/<int:document_id>/", views.document_detail, name="detail"),
    path("documents/versions/<int:version_id>/thumbnail/", views.thumbnail, name="thumbnail"),
    path("documents/<int:document_id>/delete/", views.delete, name="delete"),
    path("documents/<int:document_id>/versions/", views.version_new, name="version_new"),
    path("documents/versions/<int:version_id>/pages/<int:page>.png", views.page_image, name="page_image"),
    path("clients/<int:org_id>/documents/uploads/", resumable_views.create, name="resumable_create"),
    path("documents/uploads/<uuid:upload_id>/", resumable_views.resume, name="resumable"),
]

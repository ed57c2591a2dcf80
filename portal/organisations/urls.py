from django.urls import path

from . import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("<int:org_id>/", views.client_detail, name="detail"),
    path("<int:org_id>/edit/", views.client_edit, name="edit"),
    path("<int:org_id>/activity/", views.client_activity, name="activity"),
    path("<int:org_id>/archive/", views.client_archive, name="archive"),
    path("<int:org_id>/restore/", views.client_restore, name="restore"),
    path("<int:org_id>/contacts/", views.contacts, name="contacts"),
    path("<int:org_id>/invite/", views.invite, name="invite"),
    path("<int:org_id>/contacts/<int:contact_id>/", views.contact_detail, name="contact"),
    path("<int:org_id>/contacts/<int:contact_id>/deactivate/", views.contact_deactivate, name="contact_deactivate"),
]

from django.urls import path

from . import views

app_name = "requests"
urlpatterns = [
    path("clients/<int:org_id>/requests/", views.request_list, name="list"),
    path("clients/<int:org_id>/requests/new/", views.request_new, name="new"),
    path("clients/<int:org_id>/requests/new/<int:type_id>/", views.request_submit_view, name="submit"),
    path("requests/", views.queue, name="queue"),
    path("requests/bulk/", views.bulk, name="bulk"),
    path("requests/figures/", views.figures_view, name="figures"),
    path("requests/<int:request_id>/", views.request_detail, name="detail"),
    path("requests/<int:request_id>/status/", views.request_move, name="move"),
    path("requests/<int:request_id>/assign/", views.request_assign_view, name="assign"),
    path("requests/<int:request_id>/project/", views.request_project_view, name="project"),
    path("requests/<int:request_id>/rate/", views.request_rate_view, name="rate"),
    path("requests/files/<int:file_id>/", views.request_file, name="file"),
    path("requests/rate/<str:token>/", views.rate_link, name="rate_link"),
    path("settings/requests/types/", views.types, name="types"),
    path("settings/requests/types/new/", views.type_edit, name="type_new"),
    path("settings/requests/types/<int:type_id>/", views.type_edit, name="type_edit"),
    path("settings/requests/types/<int:type_id>/withdraw/", views.type_archive, name="type_archive"),
    path("settings/requests/types/<int:type_id>/restore/", views.type_restore, name="type_restore"),
    path("settings/requests/routing/", views.routing, name="routing"),
    path("settings/requests/routing/<int:rule_id>/delete/", views.routing_delete, name="routing_delete"),
    path("settings/requests/routing/<int:rule_id>/move/", views.routing_move, name="routing_move"),
    path("settings/requests/hours/", views.settings_view, name="settings"),
    path("settings/requests/holidays/<int:holiday_id>/delete/", views.holiday_delete_view, name="holiday_delete"),
]

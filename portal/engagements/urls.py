from django.urls import path

from . import settings_views, views

app_name = "engagements"
urlpatterns = [
    path("clients/<int:org_id>/projects/", views.project_list, name="projects"),
    path("clients/<int:org_id>/projects/new/", views.project_new, name="project_new"),
    path("clients/<int:org_id>/time/", views.time_list, name="time"),
    path("projects/<int:project_id>/", views.project_detail, name="project"),
    path("projects/<int:project_id>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:project_id>/phases/", views.phase_new, name="phase_new"),
    path("projects/phases/<int:phase_id>/start/", views.phase_make_current, name="phase_start"),
    path("projects/<int:project_id>/milestones/", views.milestone_new, name="milestone_new"),
    path("projects/milestones/<int:milestone_id>/reached/", views.milestone_reached, name="milestone_reached"),
    path("projects/<int:project_id>/time/", views.time_new, name="time_new"),
    path("clients/<int:org_id>/approvals/", views.approvals, name="approvals"),
    path("approvals/turnaround/", views.turnaround_view, name="turnaround"),
    path("approvals/settings/", settings_views.settings_view, name="settings"),
    path("projects/<int:project_id>/deliverables/", views.deliverable_new, name="deliverable_new"),
    path("deliverables/<int:deliverable_id>/", views.deliverable_detail, name="deliverable"),
    path("deliverables/<int:deliverable_id>/versions/", views.deliverable_version_new, name="deliverable_version"),
    path("deliverables/<int:deliverable_id>/submit/", views.deliverable_submit_view, name="deliverable_submit"),
    path("deliverables/<int:deliverable_id>/decide/", views.deliverable_decide_view, name="deliverable_decide"),
    path("deliverables/versions/<int:deliverable_version_id>/file/", views.deliverable_file, name="deliverable_file"),
    path("deliverables/<int:deliverable_id>/decisions.pdf", views.deliverable_record, name="deliverable_record"),
]

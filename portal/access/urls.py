from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("invite/<str:token>/", views.accept, name="accept"),
    path("welcome/", views.welcome, name="welcome"),
    path("team/", views.team, name="team"),
    path("team/<int:membership_id>/", views.staff_member, name="staff_member"),
    path("team/<int:membership_id>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path("invitations/<int:invitation_id>/resend/", views.invitation_resend_view, name="resend"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke_view, name="revoke"),
    path("roles/", views.roles, name="roles"),
    path("roles/new/", views.role_edit, name="role_create"),
    path("roles/<int:role_id>/", views.role_edit, name="role_edit"),
    path("profile/", views.profile, name="profile"),
    path("profile/sessions/end-others/", views.end_other_sessions, name="end_other_sessions"),
    path("profile/sessions/<int:session_id>/end/", views.end_session, name="end_session"),
    path("settings/security/", views.security, name="security"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("handoff/<str:token>/", views.handoff, name="account_handoff"),
    # Before allauth's own pattern (same path, same name): explains what recovery codes need instead of a 404.
    path("2fa/recovery-codes/", views.recovery_codes, name="mfa_view_recovery_codes"),
]

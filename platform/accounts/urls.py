from django.urls import path

from . import views

urlpatterns = [path("handoff/<str:token>/", views.handoff, name="account_handoff")]

"""The documents endpoints (in progress)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

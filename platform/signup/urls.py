from django.urls import path

from . import views

app_name = "signup"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("find-my-portal/", views.find_portal, name="find_portal"),
]

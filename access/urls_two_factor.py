from django.urls import path

from . import views_two_factor

app_name = "two_factor"
urlpatterns = [
    path("", views_two_factor.setup, name="setup"),
    path("verify/", views_two_factor.verify, name="verify"),
]

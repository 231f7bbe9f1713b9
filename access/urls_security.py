from django.urls import path

from . import views_security

app_name = "security"
urlpatterns = [
    path("locks/", views_security.lock_list, name="locks"),
    path("locks/<int:pk>/unlock/", views_security.lock_unlock, name="unlock"),
]

from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.outbox_list, name="outbox_list"),
    path("<int:pk>/", views.outbox_detail, name="outbox_detail"),
]

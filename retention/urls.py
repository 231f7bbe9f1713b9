from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("", views.index, name="index"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/preview/", views.policy_preview, name="policy_preview"),
    path("policies/<int:pk>/repermission/", views.repermission_send, name="repermission_send"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/approve/", views.run_approve, name="run_approve"),
    path("holds/new/", views.hold_create, name="hold_create"),
    path("holds/<int:pk>/lift/", views.hold_lift, name="hold_lift"),
    path("archive/<int:pk>/", views.archive_open, name="archive_open"),
]

"""Import and export pages of the contact repository (included by crm.urls)."""

from __future__ import annotations

from django.urls import path

from . import views_data

urlpatterns = [
    path("imports/", views_data.import_list, name="import_list"),
    path("imports/new/", views_data.import_new, name="import_new"),
    path("imports/<int:pk>/", views_data.import_detail, name="import_detail"),
    path("imports/<int:pk>/map/", views_data.import_map, name="import_map"),
    path("imports/<int:pk>/dry-run/", views_data.import_dry_run, name="import_dry_run"),
    path("imports/<int:pk>/run/", views_data.import_run, name="import_run"),
    path("imports/<int:pk>/progress/", views_data.import_progress, name="import_progress"),
    path("imports/<int:pk>/report.csv", views_data.import_report, name="import_report"),
    path("imports/<int:pk>/delete/", views_data.import_delete, name="import_delete"),
    path("export/", views_data.contact_export, name="contact_export"),
]

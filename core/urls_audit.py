from django.urls import path

from . import views_audit

app_name = "audit"
urlpatterns = [
    path("", views_audit.audit_explorer, name="explorer"),
    path("export.csv", views_audit.audit_export, name="export"),
]

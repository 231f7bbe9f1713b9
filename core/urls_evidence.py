from django.urls import path

from . import views_evidence

app_name = "evidence"
urlpatterns = [
    path("", views_evidence.evidence_list, name="list"),
    path("new/", views_evidence.evidence_create, name="create"),
    path("<int:pk>/", views_evidence.evidence_detail, name="detail"),
    path("<int:pk>/progress/", views_evidence.evidence_progress, name="progress"),
    path("<int:pk>/download/", views_evidence.evidence_download, name="download"),
]

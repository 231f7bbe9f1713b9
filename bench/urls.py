"""The project's URLs plus the bench's baseline views (bench.views), under `__bench__/`."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

from . import views
from .bench_consent import baseline_state

urlpatterns = [
    path("__bench__/contacts/", views.baseline_list),
    path("__bench__/contacts/<int:pk>/", views.baseline_detail),
    path("__bench__/nodb/", views.no_database),
    path("__bench__/page/", views.bare_page),
    path("__bench__/gc/", views.gc_stats),
    path("__bench__/consent/<int:contact>/<str:purpose>/<str:channel>/", baseline_state),
    *project_urlpatterns,
]

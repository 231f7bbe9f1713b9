"""The project's URLs plus one view that fails, to see the 500 page as a visitor gets it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


urlpatterns = [path("failing/", failing_view), *project_urlpatterns]

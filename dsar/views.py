from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.decorators import staff_permission_required


@staff_permission_required("core.access_requests")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "core/area_placeholder.html", {"title": _("Data-subject requests")})

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


@permission_required("core.access_registry", raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "core/area_placeholder.html", {"title": _("Record of processing activities")})

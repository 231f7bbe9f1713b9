from django.http import Http404, HttpRequest, HttpResponse

from core.decorators import staff_permission_required


@staff_permission_required("core.access_retention")
def index(request: HttpRequest) -> HttpResponse:
    # The area has no pages yet, so it is not in the navigation (core.navigation.register opens it).
    raise Http404

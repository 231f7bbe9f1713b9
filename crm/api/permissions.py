"""Model permissions for the contact repository's endpoints.

DRF's DjangoModelPermissions lets any authenticated caller read (GET, HEAD,
OPTIONS need nothing); here reading needs the model's `view` permission, and a
view may name the permissions of its extra actions:

    action_permissions = {"restore": ["crm.delete_contact"]}

Which rows a caller reaches is decided by the view's queryset
(`Contact.objects.restrict(user, action)`), not here.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import DjangoModelPermissions
from rest_framework.request import Request

VIEW = ["%(app_label)s.view_%(model_name)s"]


class ModelPermissions(DjangoModelPermissions):
    perms_map = {**DjangoModelPermissions.perms_map, "GET": VIEW, "HEAD": VIEW, "OPTIONS": VIEW}

    def has_permission(self, request: Request, view: Any) -> bool:
        if not hasattr(view, (request.method or "").lower()):
            return True  # no handler: DRF answers 405, which says more than a 403 would
        declared = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if declared is None:
            return super().has_permission(request, view)
        return bool(request.user and request.user.is_authenticated and request.user.has_perms(declared))

from __future__ import annotations

from crm.forms import add_service_errors  # noqa: F401  (the registry views take it from here)

AREA = "access.access_registry"

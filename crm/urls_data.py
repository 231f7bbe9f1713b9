"""Import and export pages of the contact repository (included by crm.urls)."""

from __future__ import annotations

urlpatterns: list = []

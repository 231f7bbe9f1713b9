"""Staff sign-in: Django's login view, landing each role where its work is."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse

from .roles import ADMINISTRATOR, DPO

# Roles whose home is the compliance dashboard (they land there after signing in).
DASHBOARD_HOME_ROLES = (DPO, ADMINISTRATOR)


class LoginView(auth_views.LoginView):
    """The DPO and administrators land on the dashboard; everyone else on the home page (or `next`)."""

    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        if user.groups.filter(name__in=DASHBOARD_HOME_ROLES).exists() and user.has_perm("access.access_dashboard"):
            return reverse("dashboard")
        return super().get_default_redirect_url()

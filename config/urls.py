from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from access.forms_auth import StaffAuthenticationForm
from access.views import LoginView
from consent.views import public as consent_public
from core import language
from core import views as core_views
from core.api import api_not_found
from dsar.fulfilment.public import report_download
from dsar.views import public as dsar_public
from registry.views.public import privacy_notice
from retention import views as retention_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # Public, no language prefix: the notice speaks the browser's language.
    path("privacy/notice/", privacy_notice, name="privacy_notice"),
    re_path(r"^api/", api_not_found),  # every /api/ answer is JSON, a 404 too
    path("privacy/preferences/<str:token>/", consent_public.preferences, name="consent_preferences"),
    path("privacy/confirm/<str:token>/", consent_public.confirm, name="consent_confirm"),
    path("privacy/unsubscribe/<str:token>/", consent_public.unsubscribe, name="consent_unsubscribe"),
    path("privacy/renew/<str:token>/", retention_views.renew, name="retention_renew"),
    path("privacy/request/", dsar_public.request_form, name="dsar_request"),
    path("privacy/request/verify/<str:token>/", dsar_public.request_verify, name="dsar_verify"),
    path("privacy/report/<str:token>/", report_download, name="dsar_report_download"),
]

urlpatterns += language.language_patterns(
    path("", core_views.home, name="home"),
    path("login/", LoginView.as_view(authentication_form=StaffAuthenticationForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("dashboard/", core_views.dashboard, name="dashboard"),
    path("outbox/", include("core.urls")),
    path("api-keys/", include("access.urls_apikeys")),
    path("access-review/", include("access.urls_access_review")),
    path("security/", include("access.urls_security")),
    path("account/two-factor/", include("access.urls_two_factor")),
    path("audit/", include("core.urls_audit")),
    path("evidence/", include("core.urls_evidence")),
    path("contacts/", include("crm.urls")),
    path("consents/", include("consent.urls")),
    path("requests/", include("dsar.urls")),
    path("registry/", include("registry.urls")),
    path("retention/", include("retention.urls")),
)

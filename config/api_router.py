"""One router for the whole REST API, mounted under /api/v1/ (each app has an `api/` package)."""

from django.urls import include, path
from rest_framework.routers import APIRootView, DefaultRouter

from consent.api.views import ConsentCheckView, ConsentEventViewSet, PurposeViewSet
from core.api import ThrottleFirstMixin
from core.api_monitoring import AuditSearchView, DashboardView
from crm.api.views import ContactViewSet, InteractionViewSet, OrganisationViewSet, RecipientNotificationViewSet
from registry.api.views import BreachViewSet, ProcessingActivityViewSet


class ApiRootView(ThrottleFirstMixin, APIRootView):
    pass


class Router(DefaultRouter):
    # No `.json` suffix routes: `?format=` does the same, and the custom actions take no `format` argument.
    include_format_suffixes = False
    APIRootView = ApiRootView


router = Router()
router.register("contacts", ContactViewSet, basename="contact")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("recipient-notifications", RecipientNotificationViewSet, basename="recipientnotification")
router.register("processing-activities", ProcessingActivityViewSet, basename="processingactivity")
router.register("breaches", BreachViewSet, basename="breach")
router.register("consents/purposes", PurposeViewSet, basename="purpose")
router.register("consents/events", ConsentEventViewSet, basename="consentevent")

app_name = "api"
urlpatterns = [
    path("consents/check", ConsentCheckView.as_view(), name="consent-check"),
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("audit/", AuditSearchView.as_view(), name="audit"),
    path("", include(router.urls)),
]

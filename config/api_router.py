"""One router for the whole REST API, mounted under /api/v1/ (each app has an `api/` package)."""

from django.urls import include, path
from rest_framework.routers import APIRootView, DefaultRouter

from consent.api.views import ConsentCheckView, ConsentEventViewSet, PurposeViewSet
from core.api import ThrottleFirstMixin
from core.api_monitoring import AuditSearchView, DashboardView
from crm.api.dedup import ContactMergeViewSet, DuplicateCandidateViewSet
from crm.api.views import ContactViewSet, InteractionViewSet, OrganisationViewSet, RecipientNotificationViewSet
from crm.api.webhooks import RecipientEndpointViewSet
from dsar.api.views import RequestViewSet
from dsar.fulfilment import api as fulfilment_api
from registry.api.views import BreachViewSet, ProcessingActivityViewSet
from retention.api.views import ArchiveViewSet, LegalHoldViewSet, PurgeRunViewSet, RetentionPolicyViewSet


class ApiRootView(ThrottleFirstMixin, APIRootView):
    pass


class Router(DefaultRouter):
    # No `.json` suffix routes: `?format=` does the same, and the custom actions take no `format` argument.
    include_format_suffixes = False
    APIRootView = ApiRootView


router = Router()
router.register("contacts", ContactViewSet, basename="contact")
router.register("duplicates", DuplicateCandidateViewSet, basename="duplicatecandidate")
router.register("merges", ContactMergeViewSet, basename="contactmerge")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("recipient-notifications", RecipientNotificationViewSet, basename="recipientnotification")
router.register("recipient-webhooks", RecipientEndpointViewSet, basename="recipientendpoint")
router.register("processing-activities", ProcessingActivityViewSet, basename="processingactivity")
router.register("breaches", BreachViewSet, basename="breach")
router.register("consents/purposes", PurposeViewSet, basename="purpose")
router.register("consents/events", ConsentEventViewSet, basename="consentevent")
router.register("retention/policies", RetentionPolicyViewSet, basename="retentionpolicy")
router.register("retention/runs", PurgeRunViewSet, basename="purgerun")
router.register("retention/holds", LegalHoldViewSet, basename="legalhold")
router.register("retention/archive", ArchiveViewSet, basename="archivedcontact")
router.register("requests", RequestViewSet, basename="request")

app_name = "api"
urlpatterns = [
    path("consents/check", ConsentCheckView.as_view(), name="consent-check"),
    # Fulfilment of data-subject requests (dsar.fulfilment): one workflow action per right.
    path("requests/<int:pk>/access-report/", fulfilment_api.AccessReportView.as_view(), name="request-access-report"),
    path("requests/<int:pk>/portability/", fulfilment_api.PortabilityView.as_view(), name="request-portability"),
    path("requests/<int:pk>/erasure/", fulfilment_api.ErasureView.as_view(), name="request-erasure"),
    path("requests/<int:pk>/rectification/", fulfilment_api.RectificationView.as_view(), name="request-rectification"),
    path("requests/<int:pk>/restriction/", fulfilment_api.RestrictionView.as_view(), name="request-restriction"),
    path("requests/<int:pk>/objection/", fulfilment_api.ObjectionView.as_view(), name="request-objection"),
    path("erasure-runs/<int:pk>/", fulfilment_api.ErasureRunView.as_view(), name="erasurerun-detail"),
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("audit/", AuditSearchView.as_view(), name="audit"),
    path("", include(router.urls)),
]

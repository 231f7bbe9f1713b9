from django.urls import include, path

from .views import contacts, dedup, interactions, organisations, restriction, webhooks

app_name = "crm"
urlpatterns = [
    path("", contacts.contact_list, name="contact_list"),
    path("new/", contacts.contact_create, name="contact_create"),
    path("tags/", contacts.contact_bulk_tag, name="contact_bulk_tag"),
    path("deleted/", contacts.contact_trash, name="contact_trash"),
    path("duplicates/", dedup.duplicate_queue, name="duplicate_queue"),
    path("duplicates/<int:pk>/", dedup.duplicate_review, name="duplicate_review"),
    path("duplicates/<int:pk>/dismiss/", dedup.duplicate_dismiss, name="duplicate_dismiss"),
    path("merges/<int:pk>/", dedup.merge_detail, name="merge_detail"),
    path("merges/<int:pk>/undo/", dedup.merge_undo, name="merge_undo"),
    path("<int:pk>/", contacts.contact_detail, name="contact_detail"),
    path("<int:pk>/edit/", contacts.contact_edit, name="contact_edit"),
    path("<int:pk>/delete/", contacts.contact_delete, name="contact_delete"),
    path("<int:pk>/restore/", contacts.contact_restore, name="contact_restore"),
    path("<int:pk>/art14-notice/", contacts.contact_art14_send, name="contact_art14_send"),
    path("<int:pk>/restriction/", restriction.contact_restriction, name="contact_restriction"),
    path("<int:pk>/interactions/", interactions.interaction_panel, name="interaction_panel"),
    path("<int:pk>/interactions/new/", interactions.interaction_create, name="interaction_create"),
    path("<int:pk>/interactions/<int:interaction_pk>/edit/", interactions.interaction_edit, name="interaction_edit"),
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path("organisations/new/", organisations.organisation_create_view, name="organisation_create"),
    path("organisations/options/", organisations.organisation_options, name="organisation_options"),
    path("organisations/<int:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", organisations.organisation_edit, name="organisation_edit"),
    path("art19/", restriction.recipient_notification_list, name="recipient_notification_list"),
    path("art19/<int:pk>/", restriction.recipient_notification_detail, name="recipient_notification_detail"),
    path("art19/webhooks/", webhooks.endpoint_list, name="recipient_endpoint_list"),
    path("art19/webhooks/new/", webhooks.endpoint_create, name="recipient_endpoint_create"),
    path("art19/webhooks/<int:pk>/", webhooks.endpoint_detail, name="recipient_endpoint_detail"),
    path("art19/webhooks/<int:pk>/edit/", webhooks.endpoint_edit, name="recipient_endpoint_edit"),
    path("art19/webhooks/<int:pk>/delete/", webhooks.endpoint_delete, name="recipient_endpoint_delete"),
    path("", include("crm.urls_data")),
]

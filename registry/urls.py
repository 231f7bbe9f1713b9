from django.urls import path

from .views import activities, breaches, exports, recipients

app_name = "registry"
urlpatterns = [
    path("", activities.index, name="index"),
    path("activities/new/", activities.activity_create, name="activity_create"),
    path("activities/<int:pk>/", activities.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", activities.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/submit/", activities.activity_submit, name="activity_submit"),
    path("activities/<int:pk>/approve/", activities.activity_approve, name="activity_approve"),
    path("activities/<int:pk>/request-changes/", activities.activity_request_changes, name="activity_request_changes"),
    path("activities/<int:pk>/comment/", activities.activity_comment, name="activity_comment"),
    path("activities/<int:pk>/history/", activities.activity_history, name="activity_history"),
    path("recipients/", recipients.recipient_list, name="recipient_list"),
    path("recipients/new/", recipients.recipient_create, name="recipient_create"),
    path("recipients/<int:pk>/edit/", recipients.recipient_edit, name="recipient_edit"),
    path("organisation/", recipients.profile_edit, name="profile_edit"),
    path("export/<str:fmt>/", exports.register_export, name="export"),
    path("breaches/", breaches.breach_list, name="breach_list"),
    path("breaches/new/", breaches.breach_create, name="breach_create"),
    path("breaches/export/", breaches.breach_export, name="breach_export"),
    path("breaches/<int:pk>/", breaches.breach_detail, name="breach_detail"),
    path("breaches/<int:pk>/edit/", breaches.breach_edit, name="breach_edit"),
    path("breaches/<int:pk>/notify/", breaches.breach_notify, name="breach_notify"),
    path("breaches/<int:pk>/contacts/", breaches.breach_link_contacts, name="breach_link_contacts"),
    path("breaches/<int:pk>/inform/", breaches.breach_inform, name="breach_inform"),
    path("breaches/<int:pk>/close/", breaches.breach_close, name="breach_close"),
]

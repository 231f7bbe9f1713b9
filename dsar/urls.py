from django.urls import path

from .fulfilment.urls import urlpatterns as fulfilment_urlpatterns
from .views import staff

app_name = "dsar"
urlpatterns = [
    path("", staff.index, name="index"),
    path("new/", staff.request_create, name="request_create"),
    path("<int:pk>/", staff.request_detail, name="request_detail"),
    path("<int:pk>/assign/", staff.request_assign, name="request_assign"),
    path("<int:pk>/notes/", staff.request_note, name="request_note"),
    path("<int:pk>/information/ask/", staff.request_ask_information, name="request_ask_information"),
    path("<int:pk>/information/receive/", staff.request_receive_information, name="request_receive_information"),
    path("<int:pk>/identity/", staff.request_confirm_identity, name="request_confirm_identity"),
    path("<int:pk>/extend/", staff.request_extend, name="request_extend"),
    path("<int:pk>/refuse/", staff.request_refuse, name="request_refuse"),
    path("<int:pk>/communicated/", staff.request_communicate, name="request_communicate"),
    path("<int:pk>/matches/", staff.request_match_add, name="request_match_add"),
    path("<int:pk>/matches/<int:contact_id>/remove/", staff.request_match_remove, name="request_match_remove"),
]
urlpatterns += fulfilment_urlpatterns

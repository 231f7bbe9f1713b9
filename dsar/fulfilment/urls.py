"""Staff URLs of fulfilment, added to the dsar namespace by dsar/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/fulfilment/", views.fulfilment, name="fulfilment"),
    path("<int:pk>/fulfilment/access/", views.access_create, name="fulfil_access"),
    path("<int:pk>/fulfilment/portability/", views.portability_create, name="fulfil_portability"),
    path("<int:pk>/fulfilment/rectify/<int:contact_id>/", views.rectify, name="fulfil_rectify"),
    path("<int:pk>/fulfilment/erasure/", views.erasure_confirm, name="fulfil_erasure"),
    path("<int:pk>/fulfilment/restrict/<int:contact_id>/", views.restrict, name="fulfil_restrict"),
    path("<int:pk>/fulfilment/objection/", views.object_marketing, name="fulfil_object_marketing"),
    path("<int:pk>/fulfilment/objection/<int:contact_id>/", views.object_decide, name="fulfil_object_decide"),
    path("erasure-runs/<int:pk>/", views.erasure_run, name="erasure_run"),
]

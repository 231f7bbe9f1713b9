from django.urls import path

from . import views_access_review

app_name = "access_review"
urlpatterns = [
    path("", views_access_review.access_review_index, name="index"),
    path("export.csv", views_access_review.access_review_export, name="export"),
    path("sign/", views_access_review.access_review_sign_off, name="sign"),
]

from django.urls import path

from . import views_apikeys

app_name = "apikeys"
urlpatterns = [
    path("", views_apikeys.apikey_list, name="list"),
    path("new/", views_apikeys.apikey_create, name="create"),
    path("<int:pk>/revoke/", views_apikeys.apikey_revoke, name="revoke"),
]

from django.urls import path

from . import views
from .fulfilment.urls import urlpatterns as fulfilment_urlpatterns

app_name = "dsar"
urlpatterns = [
    path("", views.index, name="index"),
]
urlpatterns += fulfilment_urlpatterns

from django.urls import path

from .views import staff

app_name = "consent"
urlpatterns = [
    path("", staff.index, name="index"),
    path("purposes/new/", staff.purpose_create, name="purpose_create"),
    path("purposes/<int:pk>/", staff.purpose_detail, name="purpose_detail"),
    path("purposes/<int:pk>/edit/", staff.purpose_edit, name="purpose_edit"),
    path("purposes/<int:pk>/material-change/", staff.material_change, name="material_change"),
    path("purposes/<int:pk>/wordings/new/", staff.wording_create, name="wording_create"),
    path("wordings/<int:pk>/edit/", staff.wording_edit, name="wording_edit"),
    path("audience/", staff.audience, name="audience"),
    path("contacts/<int:pk>/panel/", staff.contact_panel, name="contact_panel"),
    path("contacts/<int:pk>/record/", staff.contact_record, name="contact_record"),
    path("contacts/<int:pk>/object/", staff.contact_object, name="contact_object"),
    path("contacts/<int:pk>/proof.<str:fmt>", staff.contact_proof, name="contact_proof"),
]

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core import panels
from core.decorators import staff_permission_required

from .. import selectors, services
from ..dedup.jobs import likely_matches
from ..dedup.merge import merged_target
from ..dedup.reasons import reason_label
from ..forms import BulkTagForm, ContactDeleteForm, ContactForm, OrganisationSelect, staff_users
from ..keyset import keyset_page
from ..models import AccessChannel, Contact, ContactPointKind, Tag
from ..querysets import can_see_all_contacts, can_see_notes
from ..services.contacts import RESTORE_DAYS, RESTORE_WINDOW
from ..services.tags import contacts_tag_add, contacts_tag_remove, tag_get_or_create
from ..suppression import contact_is_suppressed
from .common import is_partial, query_without, redirect_back


@staff_permission_required("access.access_contacts", "crm.view_contact")
def contact_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "name")
    if sort not in selectors.CONTACT_ORDERS:
        sort = "name"
    page, filterset = selectors.contact_list_page(
        user=request.user, filters=request.GET, sort=sort, cursor=request.GET.get("cursor", "")
    )
    filterset.form.fields["organisation"].widget = OrganisationSelect(
        attrs={"class": "form-select filter-select"}, empty_label=_("Any organisation")
    )
    context = {
        "page": page,
        "filter_form": filterset.form,
        "sort": sort,
        "sort_choices": list(selectors.CONTACT_ORDER_LABELS.items()),
        "owners": staff_users() if can_see_all_contacts(request.user) else None,
        "tags": Tag.objects.all(),
        "list_query": query_without(request.GET, "cursor"),
        "filtered": any(request.GET.get(name) for name in filterset.form.fields),
        "restricted_hidden": 0 if is_partial(request) else selectors.owned_restricted_count(user=request.user),
    }
    template = "crm/partials/contact_results.html" if is_partial(request) else "crm/contact_list.html"
    return render(request, template, context)


@staff_permission_required("access.access_contacts", "crm.view_contact")
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contacts = Contact.objects.restrict(request.user, "view").select_related("organisation", "owner")
    contact = contacts.prefetch_related("points", "tags", "external_ids").filter(pk=pk).first()
    if contact is None:
        return _restricted_or_not_found(request, pk)
    if not is_partial(request):  # a fragment refresh is not a new display of the record
        services.contact_access_record(contact_ids=[contact.pk], channel=AccessChannel.PAGE)
    user = request.user
    context = {
        "contact": contact,
        "point_kinds": [ContactPointKind.EMAIL, ContactPointKind.PHONE],
        "history": selectors.contact_history_entries(
            contact=contact, limit=50, hidden=() if can_see_notes(user) else ("notes",)
        ),
        "accesses": selectors.contact_accesses(contact=contact) if user.has_perm("crm.view_contactaccess") else None,
        "can_see_notes": can_see_notes(user),
        "can_change": user.has_perm("crm.change_contact") and not contact.restricted,
        "can_delete": user.has_perm("crm.delete_contact") and not contact.restricted,
        "art14": selectors.art14_status(contact=contact),
        "can_restrict": user.has_perm("crm.restrict_contact"),
        "recipients": selectors.contact_recipient_rows(contact=contact)
        if user.has_perm("crm.view_disclosure")
        else None,
        "contact_panel_templates": panels.templates_for("contact"),
    }
    if user.has_perm("crm.view_interaction"):
        from .interactions import interaction_panel_context

        context.update(interaction_panel_context(request, contact))
    return render(request, "crm/contact_detail.html", context)


def _reason_text(score: object) -> str:
    return ", ".join(reason_label(code, value) for code, value in score.reasons[:4])


def _restricted_or_not_found(request: HttpRequest, pk: int) -> HttpResponse:
    """A restricted contact is refused without a word of its data, naming who can help; a merged-away one
    redirects to the contact it was merged into (when the user may see it); anything else is a 404."""
    tombstone = Contact.objects.filter(pk=pk, merged_into__isnull=False).select_related("merged_into").first()
    target = merged_target(tombstone) if tombstone else None
    if target is not None and Contact.objects.restrict(request.user, "view").filter(pk=target.pk).exists():
        return redirect("crm:contact_detail", pk=target.pk)
    if not Contact.objects.hidden_by_restriction(request.user).filter(pk=pk).exists():
        raise Http404
    context = {"contact_id": pk, "handlers": selectors.restriction_handlers()}
    return render(request, "crm/contact_restricted.html", context, status=403)


def _contact_form(request: HttpRequest, contact: Contact | None = None) -> ContactForm:
    return ContactForm(
        request.POST or None,
        instance=contact,
        can_see_notes=can_see_notes(request.user),
        can_choose_owner=can_see_all_contacts(request.user),
    )


@staff_permission_required("access.access_contacts", "crm.add_contact")
def contact_create(request: HttpRequest) -> HttpResponse:
    form = _contact_form(request)
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        # Likely duplicates warn once; an existing e-mail address blocks (the service refuses it).
        if not request.POST.get("confirm_not_duplicate"):
            matches = likely_matches(values=arguments, user=request.user)
            if matches:
                context = {"form": form, "likely_matches": [(c, _reason_text(s)) for c, s in matches]}
                return render(request, "crm/contact_form.html", context)
        if not arguments.get("owner"):  # Sales own what they create; others may leave it to themselves too
            arguments["owner"] = request.user
        try:
            contact = services.contact_create(**arguments)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Contact created."))
            if contact_is_suppressed(contact):  # CON-11
                messages.warning(request, _("This address is on the suppression list: no marketing will reach it."))
            return redirect("crm:contact_detail", pk=contact.pk)
    return render(request, "crm/contact_form.html", {"form": form})


@staff_permission_required("access.access_contacts", "crm.change_contact")
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.restrict(request.user, "change"), pk=pk)
    form = _contact_form(request, contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(contact=contact, **form.service_arguments())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("crm:contact_detail", pk=contact.pk)
    return render(request, "crm/contact_form.html", {"form": form, "contact": contact})


@staff_permission_required("access.access_contacts", "crm.delete_contact")
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.restrict(request.user, "delete"), pk=pk)
    form = ContactDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.contact_delete(contact=contact, reason=form.cleaned_data["reason"])
        text = ngettext(
            "%(name)s was deleted. It can be restored for %(days)d day.",
            "%(name)s was deleted. It can be restored for %(days)d days.",
            RESTORE_DAYS,
        )
        messages.success(request, text % {"name": contact, "days": RESTORE_DAYS})
        return redirect("crm:contact_list")
    context = {"contact": contact, "form": form, "window_days": RESTORE_DAYS}
    return render(request, "crm/contact_confirm_delete.html", context)


@staff_permission_required("access.access_contacts", "crm.delete_contact")
def contact_trash(request: HttpRequest) -> HttpResponse:
    recent = selectors.contact_trash(user=request.user).filter(deleted_at__gte=timezone.now() - RESTORE_WINDOW)
    page = keyset_page(recent.select_related("owner"), selectors.TRASH_ORDER, cursor=request.GET.get("cursor", ""))
    for contact in page.rows:
        contact.restorable_until = contact.deleted_at + RESTORE_WINDOW
    return render(request, "crm/contact_trash.html", {"page": page, "window_days": RESTORE_DAYS})


@require_POST
@staff_permission_required("access.access_contacts", "crm.delete_contact")
def contact_restore(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(selectors.contact_trash(user=request.user), pk=pk)
    try:
        services.contact_restore(contact=contact)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("crm:contact_trash")
    messages.success(request, _("%(name)s was restored.") % {"name": contact})
    return redirect("crm:contact_detail", pk=contact.pk)


@require_POST
@staff_permission_required("access.access_contacts", "crm.change_contact")
def contact_art14_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the Art. 14 notice now rather than with the next daily run (CON-12)."""
    contact = get_object_or_404(Contact.objects.restrict(request.user, "change"), pk=pk)
    if services.art14_notice_send(contact=contact) is not None:
        messages.success(request, _("The Art. 14 notice was sent to %(name)s.") % {"name": contact})
    elif contact.is_indirect and not Contact.objects.filter(pk=pk, art14_notice_sent_at__isnull=False).exists():
        messages.error(request, _("No notice was sent: this contact has no email address."))
    else:
        messages.info(request, _("No notice was sent: this contact does not need one or already had it."))
    return redirect("crm:contact_detail", pk=contact.pk)


@require_POST
@staff_permission_required("access.access_contacts", "crm.change_contact")
def contact_bulk_tag(request: HttpRequest) -> HttpResponse:
    form = BulkTagForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect_back(request, "crm:contact_list")
    contacts = list(Contact.objects.restrict(request.user, "change").filter(pk__in=form.cleaned_data["ids"]))
    name = form.cleaned_data["tag"]
    tag = selectors.tag_by_name(name)
    if form.cleaned_data["action"] == BulkTagForm.ADD:
        if tag is None and not request.user.has_perm("crm.add_tag"):
            messages.error(request, _("There is no tag “%(name)s”.") % {"name": name})
            return redirect_back(request, "crm:contact_list")
        try:
            tag = tag or tag_get_or_create(name=name)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect_back(request, "crm:contact_list")
        changed = contacts_tag_add(contacts=contacts, tag=tag)
        text = ngettext(
            "Tag “%(tag)s” added to %(count)d contact.", "Tag “%(tag)s” added to %(count)d contacts.", changed
        )
    else:
        changed = contacts_tag_remove(contacts=contacts, tag=tag) if tag else 0
        text = ngettext(
            "Tag “%(tag)s” removed from %(count)d contact.", "Tag “%(tag)s” removed from %(count)d contacts.", changed
        )
    messages.success(request, text % {"tag": tag.name if tag else name, "count": changed})
    return redirect_back(request, "crm:contact_list")

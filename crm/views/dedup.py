"""Duplicate review: the queue of candidate pairs, the side-by-side comparison, merge, "not a duplicate", undo."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.decorators import staff_permission_required

from ..dedup.merge import MERGE_FIELDS, MERGED, SURVIVOR, candidate_dismiss, contact_merge_undo, contacts_merge
from ..dedup.merge import default_choices as merge_defaults
from ..dedup.reasons import reason_label
from ..models import CandidateStatus, Contact, ContactMerge, DedupRun, DuplicateCandidate

QUEUE_SIZE = 100
LEFT, RIGHT = "a", "b"


def _pair_or_404(request: HttpRequest, candidate: DuplicateCandidate) -> tuple[Contact, Contact]:
    visible = Contact.objects.restrict(request.user, "view").prefetch_related("points", "tags")
    pair = {c.pk: c for c in visible.filter(pk__in=(candidate.contact_a_id, candidate.contact_b_id))}
    if len(pair) < 2:
        raise Http404
    return pair[candidate.contact_a_id], pair[candidate.contact_b_id]


@staff_permission_required("access.access_contacts", "crm.merge_contact")
def duplicate_queue(request: HttpRequest) -> HttpResponse:
    """Pending pairs, the most likely first; pairs whose contacts the user may not see are left out."""
    visible = Contact.objects.restrict(request.user, "view")
    pending = (
        DuplicateCandidate.objects.filter(
            status=CandidateStatus.PENDING, contact_a__in=visible.values("pk"), contact_b__in=visible.values("pk")
        )
        .select_related("contact_a", "contact_b")
        .order_by("-score", "pk")
    )
    rows = list(pending[:QUEUE_SIZE])
    for row in rows:
        row.reason_labels = [reason_label(code, value) for code, value in row.reasons[:4]]
    context = {
        "rows": rows,
        "total": pending.count(),
        "merges": _recent_merges(request),
        "runs": list(DedupRun.objects.order_by("-started_at")[:3]),
    }
    return render(request, "crm/duplicate_queue.html", context)


def _recent_merges(request: HttpRequest) -> list[ContactMerge]:
    return list(
        ContactMerge.objects.filter(undone_at__isnull=True, survivor__in=Contact.objects.restrict(request.user, "view"))
        .select_related("survivor")
        .order_by("-merged_at")[:10]
    )


class MergeForm(forms.Form):
    """Which record survives, and for each differing field which side's value the survivor keeps."""

    survivor = forms.ChoiceField(label=gettext_lazy("Keep as the surviving record"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, left: Contact, right: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.left, self.right = left, right
        self.fields["survivor"].choices = [(LEFT, str(left)), (RIGHT, str(right))]
        self.fields["survivor"].initial = LEFT
        defaults = merge_defaults(left, right)
        self.rows = []
        for name in MERGE_FIELDS:
            model_field = Contact._meta.get_field(name)
            values = [_shown(c, name) for c in (left, right)]
            if values[0] == values[1]:
                continue
            self.fields[f"field_{name}"] = forms.ChoiceField(
                label=model_field.verbose_name.capitalize(),
                choices=[(LEFT, values[0] or "—"), (RIGHT, values[1] or "—")],
                initial=LEFT if defaults[name] == SURVIVOR else RIGHT,
                widget=forms.RadioSelect,
            )
            self.rows.append(name)

    def choices_for(self, survivor_side: str) -> dict[str, str]:
        """Per field, "survivor" or "merged", from the sides picked on the page."""
        return {name: SURVIVOR if self.cleaned_data[f"field_{name}"] == survivor_side else MERGED for name in self.rows}

    def field_rows(self) -> list[forms.BoundField]:
        return [self[f"field_{name}"] for name in self.rows]


def _shown(contact: Contact, name: str) -> str:
    value = getattr(contact, name)
    display = getattr(contact, f"get_{name}_display", None)
    if display is not None and value:
        return str(display())
    return "" if value is None else str(value)


@staff_permission_required("access.access_contacts", "crm.merge_contact")
def duplicate_review(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(DuplicateCandidate, pk=pk)
    left, right = _pair_or_404(request, candidate)
    form = MergeForm(request.POST or None, left=left, right=right)
    if request.method == "POST" and candidate.status == CandidateStatus.PENDING and form.is_valid():
        side = form.cleaned_data["survivor"]
        survivor, merged = (left, right) if side == LEFT else (right, left)
        try:
            merge = contacts_merge(survivor=survivor, merged=merged, choices=form.choices_for(side))
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, _("%(merged)s was merged into %(survivor)s.") % {"merged": merged, "survivor": survivor}
            )
            return redirect("crm:merge_detail", pk=merge.pk)
    reasons = [reason_label(code, value) for code, value in candidate.reasons]
    context = {"candidate": candidate, "left": left, "right": right, "form": form, "reasons": reasons}
    return render(request, "crm/duplicate_review.html", context)


@require_POST
@staff_permission_required("access.access_contacts", "crm.merge_contact")
def duplicate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(DuplicateCandidate, pk=pk, status=CandidateStatus.PENDING)
    _pair_or_404(request, candidate)
    candidate_dismiss(candidate=candidate)
    messages.success(request, _("Marked as not a duplicate: this pair will not be proposed again."))
    return redirect("crm:duplicate_queue")


@staff_permission_required("access.access_contacts", "crm.merge_contact")
def merge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    merge = get_object_or_404(
        ContactMerge.objects.select_related("survivor", "merged"),
        pk=pk,
        survivor__in=Contact.objects.restrict(request.user, "view").values("pk"),
    )
    return render(request, "crm/merge_detail.html", {"merge": merge})


@require_POST
@staff_permission_required("access.access_contacts", "crm.merge_contact")
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    merge = get_object_or_404(
        ContactMerge, pk=pk, survivor__in=Contact.objects.restrict(request.user, "view").values("pk")
    )
    try:
        contact_merge_undo(merge=merge)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("crm:merge_detail", pk=merge.pk)
    messages.success(request, _("The merge was undone: both records are back as they were."))
    return redirect("crm:duplicate_queue")

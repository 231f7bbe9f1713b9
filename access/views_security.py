"""Staff pages of sign-in security: the accounts locked after failed attempts, and their unlock."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import staff_permission_required

from .login_guard import account_unlock, locked_guards
from .models import LoginGuard


@staff_permission_required("access.view_loginguard")
def lock_list(request: HttpRequest) -> HttpResponse:
    return render(request, "access/loginguard_list.html", {"guards": locked_guards()})


@require_POST
@staff_permission_required("access.unlock_account")
def lock_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    guard = get_object_or_404(LoginGuard, pk=pk)
    account_unlock(guard=guard)
    messages.success(request, _("%(username)s can sign in again.") % {"username": guard.username})
    return redirect("security:locks")

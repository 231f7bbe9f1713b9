"""Which language a page speaks: the address's prefix, then the user's saved choice, then the browser.

Unprefixed addresses (`/contacts/`) are not tied to the default language: a
French browser gets French there, and a user who picked English in the language
switch gets English from the same browser. The saved choice lives in
StaffPreference and is copied into the session at sign-in, so no page pays a
query for it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.urls import LocalePrefixPattern, URLResolver
from django.utils import translation
from django.views import i18n

from .models import StaffPreference

SESSION_KEY = "staff_language"


def _supported(language: str | None) -> str | None:
    return language if language in dict(settings.LANGUAGES) else None


def request_language(request: HttpRequest) -> str:
    """Prefix, saved choice, language cookie, Accept-Language, default: the first one that is supported."""
    session = getattr(request, "session", None)
    return (
        translation.get_language_from_path(request.path_info)
        or _supported(session.get(SESSION_KEY) if session is not None else None)
        or translation.get_language_from_request(request, check_path=False)
    )


class AnyLanguagePrefixPattern(LocalePrefixPattern):
    """Matches `/fr/…` and the unprefixed address, whatever the active language.

    Django's pattern matches only the active language's prefix, so a French page
    could not live at `/contacts/`. Links are reversed as before: a French page
    links to `/fr/…`, which keeps the language however the visit started.
    """

    def match(self, path: str) -> tuple[str, tuple[()], dict[str, Any]]:
        for code, _name in settings.LANGUAGES:
            if code != settings.LANGUAGE_CODE and path.startswith(f"{code}/"):
                return path.removeprefix(f"{code}/"), (), {}
        return path, (), {}


def language_patterns(*urls: Any) -> list[URLResolver]:
    """Like i18n_patterns(..., prefix_default_language=False), served at both addresses."""
    return [URLResolver(AnyLanguagePrefixPattern(prefix_default_language=False), list(urls))]


class PreferredLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware pins unprefixed addresses to LANGUAGE_CODE; this one asks the user first."""

    def process_request(self, request: HttpRequest) -> None:
        translation.activate(request_language(request))
        request.LANGUAGE_CODE = translation.get_language()


@transaction.atomic
def staff_language_set(*, user: Any, language: str) -> StaffPreference:
    """Save `user`'s interface language (a supported code); history records the change."""
    if _supported(language) is None:
        raise ValueError(f"unsupported language {language!r}")
    preference, _created = StaffPreference.objects.update_or_create(user=user, defaults={"language": language})
    return preference


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also saves a signed-in user's choice for their next visits."""
    response = i18n.set_language(request)
    language = _supported(request.POST.get("language")) if request.method == "POST" else None
    if language and request.user.is_authenticated:
        staff_language_set(user=request.user, language=language)
        request.session[SESSION_KEY] = language
    return response


@receiver(user_logged_in, dispatch_uid="core.language.saved_language_at_sign_in")
def _saved_language_at_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    language = StaffPreference.objects.filter(user=user).values_list("language", flat=True).first()
    if language:
        request.session[SESSION_KEY] = language

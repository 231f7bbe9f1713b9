"""The public download page of an access report or portability export (DSR-15).

The signed link alone does not open the file: the page asks for the e-mail
address the request came from. No cookie, no session: the token in the URL is
the credential (as consent's public pages), so the form needs no CSRF cookie.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.actors import Actor, acting_as

from . import files


class DownloadForm(forms.Form):
    email = forms.EmailField(label=_("The e-mail address you made the request from"), max_length=254)


def _headers(response: HttpResponse, language: str) -> HttpResponse:
    response["Content-Language"] = language
    response["Referrer-Policy"] = "no-referrer"  # the token must not leak to another site
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["Accept-Language"])
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def report_download(request: HttpRequest, token: str) -> HttpResponse:
    language = translation.get_language_from_request(request)
    with translation.override(language):
        file = files.download_file(token=token)
        if file is None:
            page = render(request, "dsar/fulfilment/download.html", {"expired": True, "language": language}, status=404)
            return _headers(page, language)
        form = DownloadForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                files.download_authorise(file=file, email=form.cleaned_data["email"])
            except ValidationError as error:
                form.add_error("email", error.message_dict["email"])
            else:
                with acting_as(Actor.subject(f"requester of {file.request.reference} (signed link)")):
                    data = files.download_record(file=file)
                response = HttpResponse(data, content_type=file.content_type)
                response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
                return _headers(response, language)
        status = 400 if form.errors else 200
        context = {"form": form, "file": file, "language": language}
        return _headers(render(request, "dsar/fulfilment/download.html", context, status=status), language)

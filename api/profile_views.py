"""The Tokens page: a logged-in user makes or revokes their own API token."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from . import services


@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    new_key = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            new_key = services.token_create(user=request.user).key
        elif action == "revoke":
            if services.token_revoke(user=request.user):
                messages.success(request, _("Your API token was revoked."))
            return redirect("tokens:tokens")
        else:
            return HttpResponse(_("Choose create or revoke."), status=400)
    token = Token.objects.filter(user=request.user).first()
    context = {"token": token, "new_key": new_key}
    response = render(request, "api/tokens.html", context)
    if new_key:
        response["Cache-Control"] = "no-store"
    return response

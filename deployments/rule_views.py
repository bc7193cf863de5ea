"""The rule pages: /rules/ lists every rule of the guide, /rules/<number>/ explains one."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from core.permissions import RequirePermission

from . import rule_selectors


class RuleIndexView(RequirePermission, View):
    permission_required = "deployments.view_deployment"

    def get(self, request):
        book = rule_selectors.rule_book()
        return render(request, "rules/index.html", {"chapters": list(book.by_chapter())})


class RuleDetailView(RequirePermission, View):
    permission_required = "deployments.view_deployment"

    def get(self, request, number: str):
        try:
            page = rule_selectors.rule_page(number=number)
        except KeyError:
            raise Http404(_("There is no rule %(number)s.") % {"number": number}) from None
        return render(request, "rules/detail.html", {"page": page})

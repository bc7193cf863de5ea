"""The dashboard's filters (issue 12)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from certauthority.forms import IssuerSourceFilter
from deployments.models import Component, Deployment, Server

from .selectors import ExpiryFilter

BAND_CHOICES = [
    ("", _("Any time")),
    ("expired", _("Expired")),
    ("under_7", _("Under 7 days")),
    ("under_30", _("Under 30 days")),
    ("under_60", _("Under 60 days")),
    ("fine", _("Fine")),
]


class ServerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Server) -> str:
        return f"{obj.deployment.name} · {obj.name}"


class ComponentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Component) -> str:
        return f"{obj.deployment.name} · {obj.server.name} · {obj.get_kind_display()}" + (
            f" {obj.tag}" if obj.tag else ""
        )


class ExpiryFilterForm(IssuerSourceFilter):
    field_order = ["deployment", "server", "component", "ca", "source", "band"]

    deployment = forms.ModelChoiceField(
        label=_("Deployment"),
        queryset=Deployment.objects.order_by("name"),
        required=False,
        empty_label=_("Any deployment"),
    )
    server = ServerChoiceField(
        label=_("Server"),
        queryset=Server.objects.select_related("deployment").order_by("deployment__name", "name"),
        required=False,
        empty_label=_("Any server"),
    )
    component = ComponentChoiceField(
        label=_("Component"),
        queryset=Component.objects.select_related("deployment", "server").order_by(
            "deployment__name", "server__name", "position"
        ),
        required=False,
        empty_label=_("Any component"),
    )
    band = forms.ChoiceField(label=_("Expires"), choices=BAND_CHOICES, required=False)

    def filters(self) -> ExpiryFilter:
        data = self.cleaned_data
        return ExpiryFilter(
            deployment=data["deployment"],
            server=data["server"],
            component=data["component"],
            ca=data["ca"],
            source=data["source"],
            band=data["band"],
        )

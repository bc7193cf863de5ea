"""Forms for deployments, servers, components and plan entries (validation only, no workflow)."""

from __future__ import annotations

from django import forms
from django.core.validators import validate_email
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from certauthority.pki.names import dns_name_is_valid
from core.forms import ToolForm

from . import rules
from .models import CertificatePlan, Component, Deployment, Server

INTERFACES = ("a", "b", "c", "d", "e", "lo")  # the MMP's interface names (schema.json)


class ListField(forms.CharField):
    """A list typed as comma-separated text (``b:5222,lo:5222``)."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ",".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [item.strip() for item in text.split(",") if item.strip()]


def _check_dns(value: str, field: str) -> None:
    if value and not dns_name_is_valid(value):
        raise forms.ValidationError(
            _("%(value)s is not a DNS name (letters, digits and hyphens between dots).")
            % {"value": value},
            code=field,
        )


class DeploymentForm(forms.ModelForm):
    class Meta:
        model = Deployment
        fields = [
            "name",
            "description",
            "domain",
            "topology",
            "strategy",
            "webrtc",
            "native_apps",
            "lync_federation",
            "lync_frontend",
            "lync_fqdn",
            "lync_trusted_ca",
            "turn_tls",
            "sip_tls",
            "ldap_tls",
            "recording",
            "streaming",
            "public_ca_name",
            "internal_ca",
            "key_type",
            "organization",
            "organizational_unit",
            "locality",
            "state",
            "country",
            "email",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean_domain(self):
        value = self.cleaned_data["domain"].strip().lower()
        _check_dns(value, "domain")
        return value

    def clean_lync_fqdn(self):
        value = self.cleaned_data["lync_fqdn"].strip().lower()
        _check_dns(value, "lync_fqdn")
        return value

    def clean_email(self):
        value = self.cleaned_data["email"].strip()
        if value:
            validate_email(value)  # it goes into every CSR's subject as emailAddress
        return value

    def clean_country(self):
        value = self.cleaned_data["country"].strip().upper()
        if value and (len(value) != 2 or not value.isalpha()):
            raise forms.ValidationError(_("Use the two-letter ISO 3166 code, e.g. GB or JP."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("lync_frontend") and not data.get("lync_fqdn"):
            self.add_error(
                "lync_fqdn", _("Enter the FQDN the Lync Front End uses for the Call Bridge.")
            )
        return data


class ServerForm(forms.ModelForm):
    addresses = ListField(
        label=capfirst(_("addresses")), required=False, help_text=_("Comma-separated.")
    )
    interfaces = ListField(
        label=capfirst(_("interfaces")), required=False, help_text=_("Comma-separated, e.g. a,b.")
    )

    class Meta:
        model = Server
        fields = ["name", "fqdn", "role", "addresses", "interfaces"]

    def __init__(self, *args, deployment: Deployment, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.deployment = deployment

    def clean_fqdn(self):
        value = self.cleaned_data["fqdn"].strip().lower()
        _check_dns(value, "fqdn")
        return value

    def clean_interfaces(self):
        # The same grammar as schema.json, so an exported deployment loads again. Django's own
        # (translated) message: "Select a valid choice. z is not one of the available choices."
        values = self.cleaned_data["interfaces"]
        for value in values:
            if value not in INTERFACES:
                raise forms.ValidationError(
                    forms.MultipleChoiceField.default_error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": value},
                )
        return values


class ComponentForm(forms.ModelForm):
    extra_names = ListField(
        label=capfirst(_("extra DNS names")),
        required=False,
        help_text=_("Comma-separated names added to the SAN list."),
    )
    public_listen = ListField(
        label=capfirst(_("public interface:port list")),
        required=False,
        help_text=_(
            "Load balancer: e.g. b:5222,lo:5222 (lo when the Edge also runs a Web Bridge)."
        ),
    )

    class Meta:
        model = Component
        fields = [
            "kind",
            "fqdn",
            "extra_names",
            "xmpp_domain",
            "srv_target",
            "tag",
            "trunk_listen",
            "public_listen",
            "load_balancer",
            "edge_port",
            "database_role",
        ]

    def __init__(self, *args, server: Server, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.server = server
        self.instance.deployment = server.deployment
        pack = rules.get_pack(server.deployment.knowledge_pack)
        targets = {r.points_at for r in pack.recipes if r.points_at}  # R4.5: load balancers
        self.fields["load_balancer"].queryset = Component.objects.filter(
            deployment=server.deployment, kind__in=targets
        ).select_related("server")

    def clean_extra_names(self):
        names = self.cleaned_data["extra_names"]
        for name in names:
            _check_dns(name, "extra_names")
        return names

    def clean_public_listen(self):
        values = self.cleaned_data["public_listen"]
        for value in values:
            if not rules.iface_port_is_valid(value):
                raise forms.ValidationError(
                    _("%(value)s is not interface:port, e.g. b:5222.") % {"value": value}
                )
        return values

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        for field in ("fqdn", "xmpp_domain", "srv_target"):
            try:
                _check_dns(data.get(field, ""), field)
            except forms.ValidationError as exc:
                self.add_error(field, exc)
        recipe = rules.get_pack(self.instance.deployment.knowledge_pack).recipe(kind or "")
        if recipe is None:
            return data
        if recipe.tagged and not data.get("tag"):
            self.add_error("tag", _("Load balancers and trunks need a tag (R4.5)."))
        if recipe.points_at and not data.get("load_balancer"):
            self.add_error(
                "load_balancer", _("Choose the Edge load balancer this trunk connects to.")
            )
        if not recipe.points_at and data.get("load_balancer"):
            self.add_error("load_balancer", _("Only a trunk connects to a load balancer."))
        if recipe.has_database_role and not data.get("database_role"):
            data["database_role"] = rules.DatabaseRole.HOST
        return data


class PlanSignerForm(forms.ModelForm):
    class Meta:
        model = CertificatePlan
        fields = ["signer"]
        help_texts = {
            "signer": _(
                "Self-signed suits a test lab only, and never the database cluster or Lync (R6.1)."
            )
        }


class PlanCertificateForm(ToolForm):
    """The answer of a public CA (or AD CS) for one plan entry: uploaded or pasted."""

    pairs = (
        (
            "certificate",
            _("the certificate the CA returned (with its chain, if in one file)"),
            True,
        ),
        ("bundle", _("the intermediate bundle, if the CA sent it separately"), False),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Issue 9 item 1: an incomplete chain is refused unless the operator says this.
        self.fields["issuer_is_trusted_root"] = forms.BooleanField(
            label=_("The issuer is a root that clients trust (no intermediate is missing)"),
            required=False,
        )

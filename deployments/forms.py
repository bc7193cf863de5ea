"""Forms for deployments, servers, components and plan entries (validation only, no workflow)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import validate_email
from django.forms.models import ModelChoiceIterator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from certauthority.pki.names import dns_name_is_valid
from certauthority.selectors import ca_sole_active
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


# Issue 10 item 13: the deployment form grouped by what the admin knows, each group with a
# heading and a line of help (our own words). Every field of the form is in exactly one group.
DEPLOYMENT_FIELDSETS: tuple[tuple[str, Any, Any, tuple[str, ...]], ...] = (
    (
        "names",
        _("Names"),
        _("What CertDesk calls this deployment, and the domain its services answer under."),
        ("name", "description", "domain"),
    ),
    (
        "options",
        _("Options"),
        _(
            "How the servers are laid out and what people use: these decide which "
            "certificates are needed and who has to trust them."
        ),
        (
            "topology",
            "webrtc",
            "native_apps",
            "turn_tls",
            "sip_tls",
            "ldap_tls",
            "recording",
            "streaming",
            "lync_federation",
            "lync_frontend",
            "lync_fqdn",
            "lync_trusted_ca",
        ),
    ),
    (
        "subject",
        _("Certificate subject"),
        _(
            "Your organisation as written into every certificate request; public CAs "
            "usually check all of it."
        ),
        ("organization", "organizational_unit", "locality", "state", "country", "email"),
    ),
    (
        "cas",
        _("Certificates and CAs"),
        _(
            "One certificate per component or shared ones, the internal CA that signs what "
            "stays inside, the public CA you buy the rest from, and the key type."
        ),
        ("strategy", "internal_ca", "public_ca_name", "key_type"),
    ),
    (
        "expiry",
        _("Expiry notices"),
        _(
            "Who is told, by e-mail, when a certificate of this deployment nears its end. "
            "The CA Admins are always told as well."
        ),
        ("contacts",),
    ),
)


class DeploymentForm(forms.ModelForm):
    contacts = ListField(
        label=capfirst(_("expiry contacts")),
        required=False,
        help_text=_("Comma-separated e-mail addresses."),
    )

    class Meta:
        model = Deployment
        fields = [name for *_head, names in DEPLOYMENT_FIELDSETS for name in names]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # R3.13: only a Lync Front End trusts a CA of its own; the field is required with it.
        lync_ca = self.fields["lync_trusted_ca"]
        lync_ca.required = False
        lync_ca.choices = [("", "—"), *(c for c in lync_ca.choices if c[0])]
        lync_ca.help_text = _(
            "Needed only with Lync Front End integration: the Call Bridge is then signed by "
            "the CA its Front End servers trust (R3.13)."
        )
        if not self.instance.pk:
            self.initial.setdefault("lync_trusted_ca", "")
        # Issue 10 item 3: with exactly one CA able to sign, nothing is left to choose.
        if not self.instance.internal_ca_id and "internal_ca" not in self.initial:
            sole = ca_sole_active()
            if sole is not None:
                self.initial["internal_ca"] = sole.pk
                self.fields["internal_ca"].help_text = _(
                    "Preselected: %(name)s is the only active CA."
                ) % {"name": sole.name}

    def fieldsets(self) -> list[tuple[str, Any, Any, list[forms.BoundField]]]:
        """(id, heading, help, bound fields) per group, in the order the page shows them."""
        return [
            (key, title, help_text, [self[name] for name in names])
            for key, title, help_text, names in DEPLOYMENT_FIELDSETS
        ]

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
        if not data.get("lync_trusted_ca"):
            if data.get("lync_frontend"):
                self.add_error(
                    "lync_trusted_ca",
                    _(
                        "With Lync Front End integration on, choose the CA its Front End "
                        "servers trust (R3.13)."
                    ),
                )
            else:  # not used without a Front End: keep what was stored (or the default)
                data["lync_trusted_ca"] = self.instance.lync_trusted_ca or (
                    rules.Signer.INTERNAL_CA.value
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


# --- components: one form per kind, its fields read from the kind's recipe ---------------------

# R3.6: every component's certificate names its FQDN (or its server's) and any extra names.
NAME_FIELDS = ("fqdn", "extra_names")
# Every field a component may take; a kind's form keeps only its own (``component_fields``).
COMPONENT_FIELDS = (
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
    "probe_port",
)
# Issue 12: any component may be probed on a TLS port (empty: not probed).
PROBE_FIELDS = ("probe_port",)
POINTS_AT_FIELD = "load_balancer"  # the model's field for a recipe's ``points_at`` (R4.5)
NEW = "new"  # the choice "create it in this same submission" of a points-at select


def component_fields(recipe: rules.Recipe) -> tuple[str, ...]:
    """The fields of one kind's form, in order: its names, its tag when the MMP names it by
    one (``tagged``, R4.5), the settings its recipe lists, then the TLS probe port every kind
    may have. Data, not kind branches."""
    return (*NAME_FIELDS, *(("tag",) if recipe.tagged else ()), *recipe.settings, *PROBE_FIELDS)


def _kind_label(kind: str) -> str:
    return str(rules.Kind(kind).label)


class _ChoicesAndNew(ModelChoiceIterator):
    def __iter__(self):
        yield from super().__iter__()
        yield (NEW, self.field.new_label)

    def __len__(self):
        return super().__len__() + 1


class TargetChoiceField(forms.ModelChoiceField):
    """The components a new one may point at, plus ``NEW``: create one in the same submission."""

    iterator = _ChoicesAndNew

    def __init__(self, *args, new_label: str, **kwargs):
        self.new_label = new_label
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return NEW if value == NEW else super().to_python(value)

    def validate(self, value):
        if value != NEW:
            super().validate(value)


def _given(data, key: str) -> bool:
    values = data.getlist(key) if hasattr(data, "getlist") else [data.get(key)]
    return any(str(v).strip() for v in values if v is not None)


class ComponentForm(forms.ModelForm):
    """The form of one component kind: only the fields its recipe names (issue 10 item 13).

    The kind comes from the URL (a new component) or the component (an edit) and cannot be
    changed here. Values posted for another kind's fields are refused, not silently dropped.
    """

    kind = forms.CharField(widget=forms.HiddenInput, required=False)
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
        fields = list(COMPONENT_FIELDS)

    def __init__(
        self,
        *args,
        server: Server | None = None,
        deployment: Deployment | None = None,
        kind: str = "",
        nested: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if server is not None:
            self.instance.server = server
            deployment = server.deployment
        assert deployment is not None, "a component form needs its server or deployment"
        self.deployment = deployment
        self.instance.deployment = deployment
        if self.instance.pk:
            kind = self.instance.kind
        self.pack = rules.get_pack(deployment.knowledge_pack)
        recipe = self.pack.recipe(kind)
        if recipe is None:
            raise ValueError(f"no recipe for the kind {kind!r}")  # views answer 400 first
        self.recipe = recipe
        self.instance.kind = recipe.kind
        self.kind_label = _kind_label(recipe.kind)
        own = component_fields(recipe)
        self.foreign_fields = tuple(name for name in COMPONENT_FIELDS if name not in own)
        for name in self.foreign_fields:
            del self.fields[name]
        self.fields["kind"].initial = recipe.kind
        if nested:
            del self.fields["kind"]
        self.target_form: ComponentForm | None = None
        if recipe.points_at and POINTS_AT_FIELD in self.fields and not nested:
            self._offer_target(recipe.points_at)

    def _offer_target(self, target_kind: str) -> None:
        """R4.5: a trunk names its load balancer: a select of the deployment's, or a new one."""
        old = self.fields[POINTS_AT_FIELD]
        label = _kind_label(target_kind)
        self.fields[POINTS_AT_FIELD] = TargetChoiceField(
            queryset=Component.objects.filter(
                deployment=self.deployment, kind=target_kind
            ).select_related("server"),
            required=False,  # the rule's own message below, not "This field is required."
            label=old.label,
            help_text=_("Choose one, or “%(new)s” and describe it below.")
            % {"new": _("New %(kind)s") % {"kind": label}},
            new_label=_("New %(kind)s") % {"kind": label},
        )
        self.target_form = NewTargetForm(
            self.data if self.is_bound else None,
            prefix="new",
            deployment=self.deployment,
            kind=target_kind,
        )

    @property
    def creates_target(self) -> bool:
        return self.is_bound and self.data.get(self.add_prefix(POINTS_AT_FIELD)) == NEW

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
        recipe = self.recipe
        posted_kind = data.get("kind")
        if posted_kind and posted_kind != recipe.kind:
            self.add_error(
                None,
                _("This form adds a component of the kind %(kind)s; choose the kind again.")
                % {"kind": self.kind_label},
            )
        foreign = [
            str(Component._meta.get_field(name).verbose_name)
            for name in self.foreign_fields
            if _given(self.data, self.add_prefix(name))
        ]
        if foreign:
            self.add_error(
                None,
                _(
                    "%(kind)s takes no %(fields)s: leave them out, or add a component of "
                    "the kind they belong to."
                )
                % {"kind": self.kind_label, "fields": ", ".join(foreign)},
            )
        for field in ("fqdn", "xmpp_domain", "srv_target"):
            if field in self.fields:
                try:
                    _check_dns(data.get(field, ""), field)
                except forms.ValidationError as exc:
                    self.add_error(field, exc)
        if recipe.tagged and not data.get("tag"):
            self.add_error("tag", _("Load balancers and trunks need a tag (R4.5)."))
        if recipe.points_at and self.target_form is not None:
            target = data.get(POINTS_AT_FIELD)
            if target == NEW:
                data[POINTS_AT_FIELD] = None  # the service links the new one once it is saved
                if not self.target_form.is_valid():
                    self.add_error(
                        POINTS_AT_FIELD,
                        _("Complete the new %(kind)s below, or choose an existing one.")
                        % {"kind": self.target_form.kind_label},
                    )
            elif not target:
                self.add_error(
                    POINTS_AT_FIELD, _("Choose the Edge load balancer this trunk connects to.")
                )
        if recipe.has_database_role and not data.get("database_role"):
            data["database_role"] = rules.DatabaseRole.HOST
        return data

    def new_target(self) -> Component | None:
        """The unsaved component to create with this one (a trunk's new load balancer)."""
        if self.target_form is None or not self.creates_target:
            return None
        return self.target_form.save(commit=False)


class NewTargetForm(ComponentForm):
    """The component a new one points at, created in the same submission (its own server)."""

    class Meta(ComponentForm.Meta):
        fields = ["server", *COMPONENT_FIELDS]

    def __init__(self, *args, deployment: Deployment, kind: str, **kwargs):
        super().__init__(*args, deployment=deployment, kind=kind, nested=True, **kwargs)
        server = self.fields["server"]
        server.queryset = deployment.servers.filter(role__in=sorted(self.recipe.roles))
        server.required = True
        server.help_text = _("Where it runs (R2.1).")


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

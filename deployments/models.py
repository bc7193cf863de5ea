"""A Meeting Server deployment: servers, their components, and the certificates they need.

Models hold data and constraints; the guide's knowledge lives in rules.py and the workflows
in services.py (STYLE.md). Choices come from rules.py so both speak the same vocabulary.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certauthority.models import PROFILE_LABELS
from certauthority.pki.keys import KeyType

from . import rules, validators

basename_validator = RegexValidator(
    rules.BASENAME_PATTERN,
    _("Use only letters, digits, '-' and '_' (no dots): it becomes part of file names."),
)  # SPEC R3.3, R4.2
iface_port_validator = RegexValidator(
    rules.IFACE_PORT_PATTERN, _("Write interface:port, for example a:4999.")
)  # SPEC R4.5
tag_validator = RegexValidator(
    rules.BASENAME_PATTERN, _("Use only letters, digits, '-' and '_' in tags.")
)

KEY_TYPE_CHOICES = [
    (KeyType.RSA2048.value, _("RSA 2048 bits")),
    (KeyType.RSA3072.value, _("RSA 3072 bits")),
    (KeyType.RSA4096.value, _("RSA 4096 bits")),
    (KeyType.EC256.value, _("EC P-256")),
    (KeyType.EC384.value, _("EC P-384")),
]


def _values(choices: type[models.TextChoices]) -> list[str]:
    return [c.value for c in choices]


class DeploymentQuerySet(models.QuerySet):
    def with_counts(self):
        return self.annotate(
            server_count=models.Count("servers", distinct=True),
            plan_count=models.Count("certificate_plans", distinct=True),
        )


class Deployment(models.Model):
    """One Meeting Server deployment and the choices that decide its certificates."""

    name = models.CharField(
        _("name"), max_length=100, unique=True, validators=[validators.validate_single_line]
    )
    description = models.TextField(
        _("description"), blank=True, validators=[validators.validate_multiline]
    )
    domain = models.CharField(
        _("domain"),
        max_length=253,
        validators=[validators.validate_dns_name],
        help_text=_("The organisation's domain, also the XMPP domain, e.g. example.com."),
    )
    topology = models.CharField(
        _("topology"),
        max_length=20,
        choices=rules.Topology.choices,
        default=rules.Topology.SINGLE_COMBINED,
    )
    webrtc = models.BooleanField(
        _("WebRTC clients"),
        default=False,
        help_text=_("Browsers join meetings through the Web Bridge."),
    )
    native_apps = models.BooleanField(
        _("native apps (XMPP)"),
        default=False,
        help_text=_("People use the PC, Mac or iOS Meeting apps."),
    )
    lync_federation = models.BooleanField(
        _("Lync federation over the public network"), default=False
    )
    lync_frontend = models.BooleanField(_("Lync Front End integration"), default=False)
    lync_fqdn = models.CharField(
        _("FQDN configured on Lync"),
        max_length=253,
        blank=True,
        validators=[validators.validate_dns_name],
        help_text=_(
            "The name the Lync Front End uses for the Call Bridge (trusted application or static route)."
        ),
    )
    lync_trusted_ca = models.CharField(
        _("CA trusted by Lync"),
        max_length=20,
        choices=[
            (rules.Signer.INTERNAL_CA.value, rules.Signer.INTERNAL_CA.label),
            (rules.Signer.PUBLIC_CA.value, rules.Signer.PUBLIC_CA.label),
        ],
        default=rules.Signer.INTERNAL_CA,
    )
    turn_tls = models.BooleanField(_("TURN over TLS"), default=False)
    sip_tls = models.BooleanField(_("verify SIP TLS peers"), default=False)
    ldap_tls = models.BooleanField(_("verify LDAP TLS peers"), default=False)
    recording = models.BooleanField(_("recording"), default=False)
    streaming = models.BooleanField(_("streaming"), default=False)
    strategy = models.CharField(
        _("certificate strategy"),
        max_length=20,
        choices=rules.Strategy.choices,
        default=rules.Strategy.DEDICATED,
    )
    public_ca_name = models.CharField(
        _("public CA"), max_length=200, blank=True, validators=[validators.validate_single_line]
    )
    internal_ca = models.ForeignKey(
        "certauthority.CertificateAuthority",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deployments",
        verbose_name=_("internal CA"),
    )
    key_type = models.CharField(
        _("default key type"),
        max_length=10,
        choices=KEY_TYPE_CHOICES,
        default=rules.DEFAULT_KEY_TYPE,
    )
    # The knowledge pack (Meeting Server version of the guide) it is planned with (rules.packs).
    knowledge_pack = models.CharField(
        _("knowledge pack"),
        max_length=20,
        default=rules.DEFAULT_PACK,
        help_text=_("The Meeting Server version whose certificate rules plan this deployment."),
    )
    # Subject attributes for CSRs; a public CA wants them all (SPEC R1.2, R3.3).
    # Issue 9 item 8: each value reaches pki csr and openssl -subj lines (validators.py).
    organization = models.CharField(
        _("organisation (O)"),
        max_length=64,
        blank=True,
        validators=[validators.validate_subject_value],
    )
    organizational_unit = models.CharField(
        _("organisational unit (OU)"),
        max_length=64,
        blank=True,
        validators=[validators.validate_subject_value],
    )
    locality = models.CharField(
        _("city (L)"), max_length=128, blank=True, validators=[validators.validate_subject_value]
    )
    state = models.CharField(
        _("state or province (ST)"),
        max_length=128,
        blank=True,
        validators=[validators.validate_subject_value],
    )
    country = models.CharField(
        _("country (C)"), max_length=2, blank=True, validators=[validators.validate_country]
    )
    email = models.CharField(
        _("e-mail address"),
        max_length=255,
        blank=True,
        validators=[validators.validate_email_value],
    )
    # Issue 12: who hears about this deployment's expiring certificates (beside the CA Admins).
    contacts = models.JSONField(
        _("expiry contacts"),
        default=list,
        blank=True,
        validators=[validators.validate_emails],
        help_text=_("E-mail addresses told when a certificate of this deployment nears expiry."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeploymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("deployment")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(topology__in=_values(rules.Topology)), name="deployment_topology_known"
            ),
            models.CheckConstraint(
                condition=Q(strategy__in=_values(rules.Strategy)), name="deployment_strategy_known"
            ),
            models.CheckConstraint(
                condition=Q(lync_trusted_ca__in=["internal_ca", "public_ca"]),
                name="deployment_lync_ca_known",
            ),
            models.CheckConstraint(
                condition=Q(key_type__in=[k.value for k in KeyType]),
                name="deployment_key_type_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Server(models.Model):
    """A Meeting Server host; its name prefixes file names (core1, edge1)."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="servers", verbose_name=_("deployment")
    )
    name = models.CharField(
        _("name"),
        max_length=63,
        validators=[basename_validator],
        help_text=_("Short name used as a file prefix, e.g. core1 or edge1."),
    )
    fqdn = models.CharField(_("FQDN"), max_length=253, validators=[validators.validate_dns_name])
    role = models.CharField(_("role"), max_length=10, choices=rules.ServerRole.choices)
    addresses = models.JSONField(
        _("addresses"), default=list, blank=True, validators=[validators.validate_addresses]
    )
    interfaces = models.JSONField(
        _("interfaces"), default=list, blank=True, validators=[validators.validate_interfaces]
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("server")
        ordering = ["deployment", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["deployment", "name"], name="server_name_unique_per_deployment"
            ),
            models.CheckConstraint(
                condition=Q(role__in=_values(rules.ServerRole)), name="server_role_known"
            ),
            models.CheckConstraint(
                condition=Q(name__regex=rules.BASENAME_PATTERN), name="server_name_is_basename"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.fqdn})"


class Component(models.Model):
    """An application on a server (SPEC R2.1) with the names and settings its certificate needs."""

    # Denormalised from server so tags can be unique per deployment in the database.
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="components")
    server = models.ForeignKey(
        Server, on_delete=models.CASCADE, related_name="components", verbose_name=_("server")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=rules.Kind.choices)
    fqdn = models.CharField(
        _("FQDN"),
        max_length=253,
        blank=True,
        validators=[validators.validate_dns_name],
        help_text=_("Its DNS name; empty means the server's FQDN."),
    )
    extra_names = models.JSONField(
        _("extra DNS names"), default=list, blank=True, validators=[validators.validate_dns_names]
    )
    xmpp_domain = models.CharField(
        _("XMPP domain"), max_length=253, blank=True, validators=[validators.validate_dns_name]
    )
    srv_target = models.CharField(
        _("SRV record target"),
        max_length=253,
        blank=True,
        validators=[validators.validate_dns_name],
        help_text=_("XMPP: the host named by the _xmpp-client SRV record."),
    )
    tag = models.CharField(
        _("tag"),
        max_length=64,
        blank=True,
        validators=[tag_validator],
        help_text=_("Load balancer or trunk tag."),
    )
    trunk_listen = models.CharField(
        _("trunk interface:port"), max_length=10, blank=True, validators=[iface_port_validator]
    )
    public_listen = models.JSONField(
        _("public interface:port list"),
        default=list,
        blank=True,
        validators=[validators.validate_iface_ports],
    )
    load_balancer = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trunks",
        limit_choices_to={"kind": rules.Kind.LOAD_BALANCER},
        verbose_name=_("Edge load balancer"),
    )
    edge_port = models.PositiveIntegerField(
        _("port on the Edge"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(65535)],
    )
    database_role = models.CharField(
        _("database role"), max_length=10, choices=rules.DatabaseRole.choices, blank=True
    )
    # Issue 12: where the TLS probe connects (the server's first address, else the FQDN).
    probe_port = models.PositiveIntegerField(
        _("TLS probe port"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(65535)],
        help_text=_("Leave empty not to probe this component."),
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("component")
        ordering = ["server__position", "server__name", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=_values(rules.Kind)), name="component_kind_known"
            ),
            models.UniqueConstraint(
                fields=["deployment", "tag"],
                condition=~Q(tag=""),
                name="component_tag_unique_per_deployment",
                violation_error_message=_(
                    "Another component of this deployment already has this tag: tags name "
                    "MMP objects and must be unique."
                ),
            ),
            models.UniqueConstraint(
                fields=["server", "kind"],
                condition=~Q(kind__in=[rules.Kind.LOAD_BALANCER, rules.Kind.TRUNK]),
                name="component_kind_once_per_server",
                violation_error_message=_(
                    "This server already runs this component: each application runs once per "
                    "server (only trunks and load balancers can repeat, SPEC R2.1)."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[rules.Kind.LOAD_BALANCER, rules.Kind.TRUNK]) | ~Q(tag=""),
                name="component_lb_and_trunk_have_a_tag",
            ),
            models.CheckConstraint(
                condition=Q(database_role__in=["", *_values(rules.DatabaseRole)]),
                name="component_database_role_known",
            ),
            models.CheckConstraint(
                condition=Q(load_balancer__isnull=True) | Q(kind=rules.Kind.TRUNK),
                name="component_only_trunks_point_at_a_load_balancer",
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label} {self.tag}" if self.tag else f"{label} ({self.server.name})"

    @property
    def ref(self) -> str:
        return f"{self.server.name}:{self.kind}" + (f":{self.tag}" if self.tag else "")

    def clean(self) -> None:
        if (
            self.server_id
            and self.deployment_id
            and self.server.deployment_id != self.deployment_id
        ):
            raise ValidationError(_("The server belongs to another deployment."))
        if self.load_balancer_id and self.load_balancer.deployment_id != self.server.deployment_id:
            raise ValidationError(
                {"load_balancer": _("Choose a load balancer of this deployment.")}
            )


class PlanStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CSR_READY = "csr_ready", _("CSR ready")
    ISSUED = "issued", _("Issued")
    EXPIRED = "expired", _("Expired")


class CertificatePlanQuerySet(models.QuerySet):
    def for_deployment(self, deployment: Deployment):
        return self.filter(deployment=deployment)


class CertificatePlan(models.Model):
    """One identity (key + certificate) the deployment needs, derived by rules.py."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="certificate_plans"
    )
    basename = models.CharField(_("file basename"), max_length=100, validators=[basename_validator])
    purpose = models.CharField(_("purpose"), max_length=20, choices=rules.Purpose.choices)
    common_name = models.CharField(_("CN"), max_length=253)
    san = models.JSONField(_("subjectAltName"), default=list, blank=True)
    key_type = models.CharField(
        _("key type"), max_length=10, choices=KEY_TYPE_CHOICES, default=rules.DEFAULT_KEY_TYPE
    )
    signer = models.CharField(_("signed by"), max_length=20, choices=rules.Signer.choices)
    signer_overridden = models.BooleanField(
        _("signer chosen by hand"),
        default=False,
        help_text=_("Kept when the plan is derived again."),
    )
    profile = models.CharField(
        _("profile"),
        max_length=16,
        choices=[(p.value, PROFILE_LABELS[p]) for p in rules.LEAF_PROFILES],
    )
    components = models.ManyToManyField(Component, related_name="certificate_plans", blank=True)
    reason = models.TextField(_("why"), blank=True)
    rule = models.CharField(_("guide rule"), max_length=20, blank=True)
    public_ca_required = models.BooleanField(_("public CA required"), default=False)
    position = models.PositiveIntegerField(default=0)
    keypair = models.ForeignKey(
        "certauthority.KeyPair", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signing_request = models.ForeignKey(
        "certauthority.SigningRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    certificate = models.ForeignKey(
        "certauthority.Certificate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The intermediate bundle a public CA returned (R3.11); internal ones are derived from the CA.
    bundle_pem = models.TextField(_("intermediate bundle (PEM)"), blank=True)
    # Issue 9 item 1: the operator said, on attach, that the chain's last issuer is a root
    # clients trust, so the chain counts as complete although CertDesk does not know it.
    issuer_is_trusted_root = models.BooleanField(_("issuer is a trusted root"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CertificatePlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate plan")
        ordering = ["deployment", "position", "basename"]
        constraints = [
            models.UniqueConstraint(
                fields=["deployment", "basename"], name="plan_basename_unique_per_deployment"
            ),
            models.CheckConstraint(
                condition=Q(basename__regex=rules.BASENAME_PATTERN), name="plan_basename_grammar"
            ),
            models.CheckConstraint(
                condition=Q(signer__in=_values(rules.Signer)), name="plan_signer_known"
            ),
            models.CheckConstraint(
                condition=Q(profile__in=[p.value for p in rules.LEAF_PROFILES]),
                name="plan_profile_known",
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=_values(rules.Purpose)), name="plan_purpose_known"
            ),
        ]

    def __str__(self) -> str:
        return self.basename

    @property
    def status(self) -> str:
        if self.certificate_id:
            if self.certificate.not_after <= timezone.now():
                return PlanStatus.EXPIRED
            return PlanStatus.ISSUED
        if self.signing_request_id:
            return PlanStatus.CSR_READY
        return PlanStatus.PLANNED

    def get_status_display(self) -> str:
        return PlanStatus(self.status).label


class IssueJobState(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class IssueJob(models.Model):
    """One background run of ``deployment_issue``: what the wizard's progress bar and the
    API's ``issue/`` job show while keys are made (a deployment can need 20 RSA keys).

    ``done`` of ``total`` counts the keys made so far; ``results`` holds each entry's
    outcome when the run ends, ``message`` the reason when it fails.
    """

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="issue_jobs")
    internal_ca = models.ForeignKey(
        "certauthority.CertificateAuthority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        max_length=10, choices=IssueJobState.choices, default=IssueJobState.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.deployment} #{self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (IssueJobState.DONE, IssueJobState.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class ProbeResult(models.Model):
    """What a component's TLS endpoint presented when the probe last connected (issue 12).

    One row per probe run; the newest per component is what the findings show. ``findings``
    holds the comparison with the plan as ``[{"severity", "problem", "fix", "rule"}]``.
    """

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="probes")
    seen_at = models.DateTimeField(db_index=True)
    host = models.CharField(max_length=253)
    port = models.PositiveIntegerField()
    reachable = models.BooleanField(default=False)
    fingerprint_sha256 = models.CharField(max_length=64, blank=True)
    chain_pem = models.TextField(blank=True)
    findings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.component} {self.host}:{self.port} at {self.seen_at:%Y-%m-%d %H:%M}"

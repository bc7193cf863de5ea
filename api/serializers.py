"""What the API answers with (read side), and the request bodies it documents.

Writes are validated by the web's own Django forms (deployments.forms), so the API refuses
exactly what the pages refuse; the ``*Write`` serializers here only describe those bodies
in the OpenAPI schema.
"""

from __future__ import annotations

from rest_framework import serializers

from certauthority.models import Certificate, CertificateAuthority
from deployments.forms import COMPONENT_FIELDS, DEPLOYMENT_FIELDSETS
from deployments.models import CertificatePlan, Component, Deployment, Server


class ReadModelSerializer(serializers.ModelSerializer):
    """A read-only model serializer whose schema admits what the model may hold.

    DRF drops ``allow_blank``/``allow_null`` from read-only fields, so a blank choice
    (``revocation_reason: ""``) or a null foreign key would break the published schema;
    here they are given back from the model field (schemathesis checks every response).
    """

    def get_extra_kwargs(self):
        extra = super().get_extra_kwargs()
        model = self.Meta.model
        names = {f.name: f for f in model._meta.get_fields() if hasattr(f, "blank")}
        for name in self.Meta.fields:
            field = names.get(name)
            if field is None or name in self._declared_fields:
                continue
            kwargs = extra.setdefault(name, {})
            if field.null:
                kwargs.setdefault("allow_null", True)
            if field.blank and getattr(field, "choices", None):
                kwargs.setdefault("allow_blank", True)
        return extra


DEPLOYMENT_FORM_FIELDS = [name for *_head, names in DEPLOYMENT_FIELDSETS for name in names]
SERVER_FORM_FIELDS = ["name", "fqdn", "role", "addresses", "interfaces"]


class CertificateAuthoritySerializer(ReadModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    certificate = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    not_after = serializers.DateTimeField(source="certificate.not_after", read_only=True)
    certificate_pem = serializers.CharField(source="certificate.pem", read_only=True)

    class Meta:
        model = CertificateAuthority
        fields = [
            "id",
            "name",
            "slug",
            "parent",
            "subject",
            "path_length",
            "base_url",
            "is_active",
            "certificate",
            "certificate_pem",
            "not_after",
            "crl_number",
            "crl_next_update",
            "created_at",
        ]
        read_only_fields = fields


class CertificateSerializer(ReadModelSerializer):
    issuer_ca = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    status = serializers.SerializerMethodField()
    has_private_key = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "common_name",
            "san",
            "subject",
            "issuer",
            "issuer_ca",
            "serial_number",
            "profile",
            "is_ca",
            "not_before",
            "not_after",
            "fingerprint_sha256",
            "source",
            "status",
            "revoked_at",
            "revocation_reason",
            "has_private_key",
            "created_at",
            "pem",
        ]
        read_only_fields = fields

    def get_status(self, certificate: Certificate) -> str:
        from certauthority.selectors import certificate_status

        return certificate_status(certificate=certificate)

    def get_has_private_key(self, certificate: Certificate) -> bool:
        key = certificate.key
        return key is not None and key.has_private_key


class CertificateListSerializer(CertificateSerializer):
    """The list leaves the PEM out: fetch one certificate or download it for that."""

    class Meta(CertificateSerializer.Meta):
        fields = [f for f in CertificateSerializer.Meta.fields if f != "pem"]
        read_only_fields = fields


class ComponentSerializer(ReadModelSerializer):
    ref = serializers.CharField(read_only=True)

    class Meta:
        model = Component
        fields = ["id", "server", "kind", "ref", *COMPONENT_FIELDS]
        read_only_fields = fields


class ComponentWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Component
        fields = ["kind", *COMPONENT_FIELDS]


class ServerSerializer(ReadModelSerializer):
    components = ComponentSerializer(many=True, read_only=True)

    class Meta:
        model = Server
        fields = ["id", "deployment", *SERVER_FORM_FIELDS, "components"]
        read_only_fields = fields


class ServerWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Server
        fields = SERVER_FORM_FIELDS


class DeploymentSerializer(ReadModelSerializer):
    servers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Deployment
        fields = [
            "id",
            *DEPLOYMENT_FORM_FIELDS,
            "knowledge_pack",
            "servers",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DeploymentWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deployment
        fields = DEPLOYMENT_FORM_FIELDS


class PlanEntrySerializer(ReadModelSerializer):
    components = serializers.SerializerMethodField()
    certificate = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    obtain = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = CertificatePlan
        fields = [
            "id",
            "basename",
            "purpose",
            "common_name",
            "san",
            "key_type",
            "signer",
            "profile",
            "reason",
            "rule",
            "public_ca_required",
            "status",
            "components",
            "certificate",
            "obtain",
        ]
        read_only_fields = fields

    def get_components(self, row: CertificatePlan) -> list[str]:
        return [c.ref for c in row.components.all()]


class FindingSerializer(serializers.Serializer):
    severity = serializers.CharField()
    rule = serializers.CharField()
    component = serializers.CharField()
    problem = serializers.CharField()
    fix = serializers.CharField()
    # When the TLS probe saw it (issue 12); null for findings on the plan and stored certs.
    seen_at = serializers.DateTimeField(allow_null=True, read_only=True)


class TrustLinkSerializer(serializers.Serializer):
    server = serializers.CharField()
    component = serializers.CharField()
    file_name = serializers.CharField()
    members = serializers.ListField(child=serializers.CharField())
    purpose = serializers.CharField()
    rule = serializers.CharField()


class PlanSerializer(serializers.Serializer):
    entries = PlanEntrySerializer(many=True)
    trust = TrustLinkSerializer(many=True)


class SignOptionsSerializer(serializers.Serializer):
    profile = serializers.ChoiceField(choices=["server", "client", "server-client"])
    days = serializers.IntegerField(min_value=1, max_value=3650, default=365)
    san = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Replaces the CSR's SAN list."
    )
    force = serializers.BooleanField(default=False)


class SignRequestSerializer(SignOptionsSerializer):
    csr = serializers.CharField(
        help_text="The certificate signing request, PEM; or upload it as a file (multipart)."
    )


class SignResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    certificate = serializers.CharField()
    chain = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())


class IssueJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    deployment = serializers.IntegerField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    percent = serializers.IntegerField()
    finished = serializers.BooleanField()
    message = serializers.CharField(allow_blank=True)
    results = serializers.JSONField()
    url = serializers.CharField()


class ToolResultSerializer(serializers.Serializer):
    tool = serializers.CharField()
    ok = serializers.BooleanField()
    mmp_output = serializers.ListField(
        child=serializers.CharField(), help_text="What the MMP's pki command prints."
    )
    detail = serializers.CharField(
        required=False, help_text="When the check failed (422): what failed, in one line."
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(required=False, allow_blank=True, write_only=True)
    legacy = serializers.BooleanField(default=False)


# --- expiry and renewal (issue 12) ---------------------------------------------------------------


class RenewRequestSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(
        choices=["same", "new"],
        help_text="same: sign the existing CSR again (same key); new: a new key and CSR first.",
    )


class RenewedEntrySerializer(serializers.Serializer):
    basename = serializers.CharField()
    status = serializers.CharField(help_text="issued | csr | self-signed")
    message = serializers.CharField()


class RenewResultSerializer(serializers.Serializer):
    results = RenewedEntrySerializer(many=True)
    certificates = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The ids of the renewed certificates (none while a public CA must answer).",
    )
    install_scripts = serializers.ListField(child=serializers.URLField())


class ExpiryMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    count = serializers.IntegerField()


class ExpirySummarySerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="expired, under_7, under_30, under_60, fine: watched certificates per band.",
    )
    timeline = ExpiryMonthSerializer(many=True)

"""The CA's services (HackSoft style): keyword-only ``<entity>_<action>`` functions.

Callers (views, the ``ca`` command, the deployments app) import from here.
"""

from __future__ import annotations

from ..selectors import ca_chain, certificate_chain
from .audit import Actor, audit_record
from .authorities import (
    DEFAULT_CA_KEY_TYPE,
    DEFAULT_INTERMEDIATE_DAYS,
    DEFAULT_ROOT_DAYS,
    base_url_is_loopback,
    ca_check_base_url,
    ca_check_usable,
    ca_create_intermediate,
    ca_create_root,
    ca_current_crl,
    ca_issue_options,
    ca_issuer,
    ca_public_urls,
    ca_set_base_url,
    crl_generate,
    crl_refresh_due,
    default_base_url,
)
from .certificates import (
    CsrPreview,
    IssuedCertificate,
    certificate_import,
    certificate_issue,
    certificate_issue_batch,
    certificate_revoke,
    csr_create,
    csr_parse,
    csr_preview,
    csr_store,
    ocsp_respond,
)
from .errors import CAError
from .keys import (
    certificate_pkcs12,
    keypair_export,
    keypair_generate,
    keypair_import,
    keypair_may_export,
    keypair_private_key,
    keystore_rekey,
)

__all__ = [
    "DEFAULT_CA_KEY_TYPE",
    "DEFAULT_INTERMEDIATE_DAYS",
    "DEFAULT_ROOT_DAYS",
    "Actor",
    "CAError",
    "CsrPreview",
    "IssuedCertificate",
    "audit_record",
    "base_url_is_loopback",
    "ca_chain",
    "ca_check_base_url",
    "ca_check_usable",
    "ca_create_intermediate",
    "ca_create_root",
    "ca_current_crl",
    "ca_issue_options",
    "ca_issuer",
    "ca_public_urls",
    "ca_set_base_url",
    "certificate_chain",
    "certificate_import",
    "certificate_issue",
    "certificate_issue_batch",
    "certificate_pkcs12",
    "certificate_revoke",
    "crl_generate",
    "crl_refresh_due",
    "csr_create",
    "csr_parse",
    "csr_preview",
    "csr_store",
    "default_base_url",
    "keypair_export",
    "keypair_generate",
    "keypair_import",
    "keypair_may_export",
    "keypair_private_key",
    "keystore_rekey",
    "ocsp_respond",
]

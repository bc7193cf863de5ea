"""The CA's services (HackSoft style): keyword-only ``<entity>_<action>`` functions.

Callers (views, the ``ca`` command, the deployments app) import from here.
"""

from __future__ import annotations

from ..selectors import ca_chain, certificate_chain
from .audit import Actor, audit_record
from .authorities import (
    DEFAULT_CA_KEY_TYPE,
    ca_check_usable,
    ca_create_intermediate,
    ca_create_root,
    ca_current_crl,
    ca_issuer,
    crl_generate,
)
from .certificates import (
    CsrPreview,
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
    keypair_export,
    keypair_generate,
    keypair_import,
    keypair_private_key,
    keystore_rekey,
)

__all__ = [
    "DEFAULT_CA_KEY_TYPE",
    "Actor",
    "CAError",
    "CsrPreview",
    "audit_record",
    "ca_chain",
    "ca_check_usable",
    "ca_create_intermediate",
    "ca_create_root",
    "ca_current_crl",
    "ca_issuer",
    "certificate_chain",
    "certificate_import",
    "certificate_issue",
    "certificate_issue_batch",
    "certificate_revoke",
    "crl_generate",
    "csr_create",
    "csr_parse",
    "csr_preview",
    "csr_store",
    "keypair_export",
    "keypair_generate",
    "keypair_import",
    "keypair_private_key",
    "keystore_rekey",
    "ocsp_respond",
]

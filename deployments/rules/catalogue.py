"""The guide's vocabulary (SPEC R2.1, R2.2, R3.3, R4.5): the words every recipe and model uses.

Choices shared with models.py; TextChoices are plain enums, no DB involved. What each component
kind needs is not here but in its recipe (``packs/``).
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy

from certauthority.pki.keys import KeyType
from certauthority.pki.names import DATABASE_CLIENT_CN
from certauthority.pki.sign import CertProfile

if TYPE_CHECKING:

    class _TextChoices(enum.StrEnum):
        """What mypy needs of ``models.TextChoices`` when Django comes without type stubs."""

        label: str

else:
    _TextChoices = models.TextChoices


class Topology(_TextChoices):
    # SPEC R2.2
    SINGLE_COMBINED = "single_combined", gettext_lazy("Single combined server")
    SINGLE_SPLIT = "single_split", gettext_lazy("Single split (Core + Edge)")
    SCALABLE = "scalable", gettext_lazy("Scalable and resilient")


class ServerRole(_TextChoices):
    CORE = "core", gettext_lazy("Core")
    EDGE = "edge", gettext_lazy("Edge")
    COMBINED = "combined", gettext_lazy("Combined (Core and Edge)")


class Kind(_TextChoices):
    # SPEC R2.1
    CALL_BRIDGE = "call_bridge", gettext_lazy("Call Bridge")
    WEB_BRIDGE = "web_bridge", gettext_lazy("Web Bridge")
    XMPP = "xmpp", gettext_lazy("XMPP server")
    TURN = "turn", gettext_lazy("TURN server")
    WEB_ADMIN = "web_admin", gettext_lazy("Web Admin")
    DATABASE = "database", gettext_lazy("Database")
    LOAD_BALANCER = "load_balancer", gettext_lazy("Load balancer")
    TRUNK = "trunk", gettext_lazy("Trunk")
    RECORDER = "recorder", gettext_lazy("Recorder")
    STREAMER = "streamer", gettext_lazy("Streamer")
    H323_GATEWAY = "h323_gateway", gettext_lazy("H.323 Gateway")


class Strategy(_TextChoices):
    DEDICATED = "dedicated", gettext_lazy("A dedicated certificate per component")
    SHARED = "shared", gettext_lazy("One certificate shared by several components (R3.5)")
    WILDCARD = "wildcard", gettext_lazy("A wildcard certificate (R2.6)")


class Signer(_TextChoices):
    PUBLIC_CA = "public_ca", gettext_lazy("Public CA")
    INTERNAL_CA = "internal_ca", gettext_lazy("Internal CA")
    SELF_SIGNED = "self_signed", gettext_lazy("Self-signed")


# The certificate profile is defined once, in pki (SPEC R3.9: serverAuth, clientAuth or both);
# a plan entry uses one of the leaf profiles.
LEAF_PROFILES: tuple[CertProfile, ...] = tuple(p for p in CertProfile if p is not CertProfile.CA)


class DatabaseRole(_TextChoices):
    HOST = "host", gettext_lazy("Database host")
    CLIENT = "client", gettext_lazy("Remote Call Bridge (client only)")


class Purpose(_TextChoices):
    """What a planned certificate is for; decides its recipe and the checks that apply."""

    CALL_BRIDGE = "call_bridge", gettext_lazy("Call Bridge")
    WEB_BRIDGE = "web_bridge", gettext_lazy("Web Bridge")
    XMPP = "xmpp", gettext_lazy("XMPP server")
    TURN = "turn", gettext_lazy("TURN server")
    WEB_ADMIN = "web_admin", gettext_lazy("Web Admin")
    RECORDER = "recorder", gettext_lazy("Recorder")
    STREAMER = "streamer", gettext_lazy("Streamer")
    SHARED = "shared", gettext_lazy("Shared by several components")
    WILDCARD = "wildcard", gettext_lazy("Wildcard")
    LOAD_BALANCER = "load_balancer", gettext_lazy("Load balancer")
    TRUNK = "trunk", gettext_lazy("Trunk")
    DB_SERVER = "db_server", gettext_lazy("Database cluster server")
    DB_CLIENT = "db_client", gettext_lazy("Database cluster client")


class TrustPurpose(enum.StrEnum):
    """What a trust file is for: the trust store it fills (R2.3, R4.5, R4.7.1, R4.8, R4.10)."""

    WEBBRIDGE = "webbridge_trust"  # R4.7.1: the Web Bridge trusts the Call Bridges
    RECORDER = "recorder_trust"  # R2.3: the recorder trusts the Call Bridges
    STREAMER = "streamer_trust"  # R2.3: the streamer trusts the Call Bridges
    LOAD_BALANCER = "loadbalancer_trust"  # R4.5: the load balancer trusts the trunks
    TRUNK = "trunk_trust"  # R4.5: a trunk trusts its load balancer
    DATABASE_CA = "database_ca"  # R4.8: the cluster's CA bundle
    TLS_SIP = "tls_sip"  # R4.10: SIP TLS peers
    TLS_LDAP = "tls_ldap"  # R4.10: LDAP TLS peers


class Severity(_TextChoices):
    ERROR = "error", gettext_lazy("Error")
    WARNING = "warning", gettext_lazy("Warning")


# SPEC R3.3 / R4.2: letters, digits, '-' and '_' only; '.' only before the extension.
BASENAME_PATTERN = r"^[A-Za-z0-9_-]+\Z"  # \Z, not $: "$" also matches before a final newline
_BASENAME = re.compile(BASENAME_PATTERN)
# MMP interface:port, e.g. a:4999 or lo:5222 (SPEC R4.5).
IFACE_PORT_PATTERN = r"^(?:[a-e]|lo):[0-9]{1,5}\Z"
_IFACE_PORT = re.compile(IFACE_PORT_PATTERN)
DB_CLIENT_CN = DATABASE_CLIENT_CN  # SPEC R3.9, R4.8
DEFAULT_KEY_TYPE: str = KeyType.RSA2048.value  # R3.3, Appendix A: rsa:2048
INTERNAL_CA_MEMBER = "@internal-ca"  # a trust bundle member: the internal CA chain


def basename_is_valid(name: str) -> bool:
    """SPEC R3.3: letters, digits, '-' and '_' only."""
    return bool(name) and bool(_BASENAME.fullmatch(name)) and len(name) <= 100


def iface_port_is_valid(value: str) -> bool:
    """SPEC R4.5: ``<iface>:<port>`` as the MMP writes it (``a:4999``, ``lo:5222``)."""
    if not _IFACE_PORT.fullmatch(value):
        return False
    return 0 < int(value.split(":")[1]) < 65536

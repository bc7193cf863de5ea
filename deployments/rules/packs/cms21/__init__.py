"""cms21: Cisco Meeting Server 2.1 certificate guidelines, restated in ../shared/SPEC.md.

One recipe per component kind (SPEC R2.1); the checks in the order findings are shown.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ...checks import (
    check_callbridge_trust,
    check_chains,
    check_client_auth,
    check_database_cluster,
    check_expired,
    check_internal_ca_chosen,
    check_lync,
    check_recorder_streamer_placement,
    check_san_contains_cn,
    check_self_signed_and_public,
    check_shared_has_san,
    check_trunk_lb_sharing,
    check_turn_same_ca_as_webbridge,
    check_webbridge_names,
    check_xmpp_names,
)
from ...recipe import KnowledgePack
from . import (
    call_bridge,
    database,
    h323_gateway,
    media,
    trunk_lb,
    turn,
    web_admin,
    web_bridge,
    xmpp,
)
from .rule_texts import RULE_BOOK

PACK = KnowledgePack(
    name="cms21",
    title=_("Cisco Meeting Server 2.1"),
    spec_document="../shared/SPEC.md",
    recipes=(
        call_bridge.RECIPE,
        web_bridge.RECIPE,
        xmpp.RECIPE,
        turn.RECIPE,
        web_admin.RECIPE,
        database.RECIPE,
        trunk_lb.LOAD_BALANCER,
        trunk_lb.TRUNK,
        media.RECORDER,
        media.STREAMER,
        h323_gateway.RECIPE,
    ),
    checks=(
        check_internal_ca_chosen,
        check_trunk_lb_sharing,
        check_database_cluster,
        check_turn_same_ca_as_webbridge,
        check_self_signed_and_public,
        check_xmpp_names,
        check_webbridge_names,
        check_callbridge_trust,
        check_client_auth,
        check_expired,
        check_lync,
        check_shared_has_san,
        check_san_contains_cn,
        check_recorder_streamer_placement,
        check_chains,
    ),
    rule_book=RULE_BOOK,
)

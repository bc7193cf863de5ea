"""Recorder and Streamer (SPEC R2.3): the Call Bridge asks for their certificates, and they
trust the Call Bridge's. Two recipes of one shape."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ...catalogue import CertProfile, Kind, Purpose, TrustPurpose
from ...checks import check_recorder_streamer_placement
from ...recipe import ANY_ROLE, InstallStep, Reason, Recipe, StepInput, TrustNeed
from ._shared import call_bridge_file, call_bridge_members


def _recipe(
    kind: Kind, word: str, purpose: str, trust: TrustPurpose, order: int, reason: object
) -> Recipe:
    def values(given: StepInput) -> dict[str, str]:
        link = given.trust.get(trust)
        return {"trust": link.file_name if link else "<callbridge-certificate>"}

    return Recipe(
        kind=kind,
        rules=("R2.1", "R2.3"),
        file_base=word,
        roles=ANY_ROLE,
        placement_rule="R2.3",
        apart_from=(Kind.CALL_BRIDGE,),  # R2.3: same server only for tests or tiny deployments
        purpose=purpose,
        plan_order=order,
        # R2.3: the Call Bridge requests its certificate, so it authenticates as a client too.
        profile=CertProfile.SERVER_CLIENT,
        profile_rule="R2.3",
        reasons=(Reason(reason, "R2.3"),),  # type: ignore[arg-type]
        trust=(TrustNeed(trust, "R2.3", call_bridge_members, call_bridge_file, order=20),),
        install=(
            InstallStep(
                title=kind.label,
                rule="R2.3",
                order=order + 40,
                # Command names from the MMP Command Reference, not from the certificate guide.
                commands=(
                    f"{word} disable",
                    f"{word} certs {{key}} {{cert}}{{bundle}}",
                    f"{word} trust {{trust}}",
                    f"{word} enable",
                ),
                notes=(
                    _(
                        "These command names come from the MMP Command Reference, not the certificate guide."
                    ),
                ),
                values=values,
            ),
        ),
        checks=(check_recorder_streamer_placement,),
    )


RECORDER = _recipe(
    Kind.RECORDER,
    "recorder",
    Purpose.RECORDER,
    TrustPurpose.RECORDER,
    60,
    _(
        "The Call Bridge asks for the recorder's certificate; the recorder must trust the Call Bridge's."
    ),
)
STREAMER = _recipe(
    Kind.STREAMER,
    "streamer",
    Purpose.STREAMER,
    TrustPurpose.STREAMER,
    70,
    _(
        "The Call Bridge asks for the streamer's certificate; the streamer must trust the Call Bridge's."
    ),
)

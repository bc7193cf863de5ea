"""What every check reads (``CheckContext``) and how it reports (``error``, ``warning``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ..catalogue import Severity
from ..plan import plan_for_component, presents
from ..specs import (
    CertificateFacts,
    ComponentSpec,
    DeploymentSpec,
    Finding,
    PlannedCertificate,
    TrustLink,
)


@dataclass(frozen=True)
class CheckContext:
    spec: DeploymentSpec
    plan: tuple[PlannedCertificate, ...]
    trust: tuple[TrustLink, ...]
    certificates: Mapping[str, CertificateFacts]  # by plan basename, only those that exist
    internal_ca_subject: str
    now: dt.datetime
    # Whether the deployment has an internal CA; None: not known (a plan checked on its own).
    internal_ca_chosen: bool | None = None

    def of_purpose(self, *purposes: str) -> list[PlannedCertificate]:
        return [p for p in self.plan if p.purpose in purposes]

    def for_kind(self, kind: str) -> list[tuple[ComponentSpec, PlannedCertificate]]:
        out = []
        for comp in self.spec.components(kind):
            for p in plan_for_component(self.plan, comp.ref):
                if presents(p):
                    out.append((comp, p))
        return out


def error(rule: str, where: str, problem: str, fix: str) -> Finding:
    return Finding(Severity.ERROR, rule, where, problem, fix)


def warning(rule: str, where: str, problem: str, fix: str) -> Finding:
    return Finding(Severity.WARNING, rule, where, problem, fix)

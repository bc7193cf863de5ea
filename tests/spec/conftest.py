"""Small fixtures for the SPEC audit tests (those of tests/deployments are not visible here)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deployments.helpers import example_document


@pytest.fixture
def load_example(db):
    """load_example("scalable", key_type="ec256", options={"sip_tls": True}) -> Deployment.

    ``options`` are merged into the example's options; other keys replace top-level ones.
    """
    from deployments import services

    def load(name: str, *, options: dict[str, bool] | None = None, **changes: Any):
        doc = example_document(name)
        doc.update(changes)
        if options:
            doc["options"] = {**doc.get("options", {}), **options}
        return services.deployment_load_document(document=doc, actor="test")[0]

    return load

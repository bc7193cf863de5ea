from __future__ import annotations

import pytest

from .helpers import EXAMPLES


@pytest.fixture
def load_example(db):
    """load_example("single-split", internal_ca=None) -> a saved Deployment."""
    from deployments import services

    def load(name: str, **changes):
        text = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
        if changes:
            import yaml

            doc = yaml.safe_load(text)
            doc.update(changes)
            return services.deployment_load_document(document=doc, actor="test")[0]
        return services.deployment_load(text=text, actor="test")[0]

    return load

"""Issue 9, item 15: a private key pasted into any box is never sent back to the browser.

The Tools page already blanked its key boxes; the CSR box of the CA's sign page echoed a key
pasted by mistake, in the re-rendered form. The project's form renderer (core.rendering) now
blanks any field whose value holds a private key, on every form; these tests post a key into
each field that can receive one and look for the key's body in the answer.
"""

from __future__ import annotations

import inspect

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django import forms
from django.urls import reverse

from tests.security.conftest import make_csr


def _keys() -> dict[str, str]:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem, pkcs8, traditional = (
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.PrivateFormat.TraditionalOpenSSL,
    )
    none = serialization.NoEncryption()
    return {
        "pkcs8": ec_key.private_bytes(pem, pkcs8, none).decode(),
        "rsa": rsa_key.private_bytes(pem, traditional, none).decode(),
        "encrypted": ec_key.private_bytes(
            pem, pkcs8, serialization.BestAvailableEncryption(b"pass-word")
        ).decode(),
        "openssh": ec_key.private_bytes(pem, serialization.PrivateFormat.OpenSSH, none).decode(),
    }


KEYS = _keys()


def _body(key: str) -> str:
    """A line of the key's base64 body: what must not reach the page."""
    return key.splitlines()[1]


def _assert_not_echoed(response, key: str) -> None:
    assert response.status_code < 500
    text = response.content.decode()
    assert _body(key) not in text, "the pasted private key came back in the page"


@pytest.mark.parametrize("kind", sorted(KEYS))
def test_a_key_pasted_into_the_csr_box_is_refused_and_not_sent_back(
    client_as, operator, root_ca, kind
):
    key = KEYS[kind]
    response = client_as(operator).post(
        reverse("certauthority:sign"), {"step": "preview", "csr_text": key}
    )
    _assert_not_echoed(response, key)
    assert "Check and sign" not in response.content.decode()
    assert 'name="csr_text"' in response.content.decode()  # the form is shown again


def test_a_key_with_text_around_it_in_the_csr_box_is_not_sent_back(client_as, operator, root_ca):
    key = "my key, sorry:\n" + KEYS["pkcs8"] + "\nand the CSR follows"
    response = client_as(operator).post(
        reverse("certauthority:sign"), {"step": "preview", "csr_text": key}
    )
    _assert_not_echoed(response, KEYS["pkcs8"])


@pytest.mark.parametrize("field", ["csr_pem", "san"])
def test_a_key_put_into_the_sign_step_is_not_sent_back(client_as, operator, root_ca, field):
    data = {
        "step": "sign",
        "csr_pem": make_csr("www.example.com").decode(),
        "ca": str(root_ca.pk),
        "profile": "server",
        "days": "365",
        "san": "www.example.com",
        field: KEYS["pkcs8"],
    }
    response = client_as(operator).post(reverse("certauthority:sign"), data, follow=True)
    _assert_not_echoed(response, KEYS["pkcs8"])


@pytest.mark.parametrize("field", ["certificate_text", "bundle_text"])
def test_a_key_pasted_into_the_attach_form_is_not_sent_back(client_as, operator, split, field):
    plan = split.certificate_plans.first()
    data = {f"attach-{plan.pk}-certificate_text": make_csr().decode()}
    data[f"attach-{plan.pk}-{field}"] = KEYS["rsa"]
    response = client_as(operator).post(
        reverse("deployments:plan-attach", args=[split.pk, plan.pk]), data, follow=True
    )
    _assert_not_echoed(response, KEYS["rsa"])


@pytest.mark.parametrize("field", ["name", "description"])
def test_a_key_pasted_into_the_deployment_form_is_not_sent_back(client_as, operator, field):
    data = {"name": "", "description": "", field: KEYS["encrypted"]}
    response = client_as(operator).post(reverse("deployments:create"), data)
    assert response.status_code == 200  # the form again, with its errors
    _assert_not_echoed(response, KEYS["encrypted"])


@pytest.mark.parametrize("tool", ["inspect", "match", "verify"])
def test_the_tools_page_still_sends_no_key_back(client_as, viewer, tool):
    fields = {"inspect": ["material"], "match": ["key", "cert"], "verify": ["cert", "bundle"]}
    data = {"tool": tool, **{f"{name}_text": KEYS["openssh"] for name in fields[tool]}}
    response = client_as(viewer).post(reverse("tools"), data)
    _assert_not_echoed(response, KEYS["openssh"])


def _project_forms():
    from certauthority import forms as ca_forms
    from core import forms as core_forms
    from deployments import forms as deployment_forms

    for module in (ca_forms, core_forms, deployment_forms):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                if cls.base_fields or getattr(cls, "pairs", ()):
                    yield cls


def _bind(form_class, data, split):
    params = inspect.signature(form_class.__init__).parameters
    if "kind" in params:
        # Per-kind forms (issue 10 item 13): the kind whose form has the most fields.
        return max(_per_kind(form_class, data, split), key=lambda form: len(form.fields))
    if "deployment" in params:
        return form_class(data=data, deployment=split)
    if "server" in params:
        return form_class(data=data, server=split.servers.first())
    return form_class(data=data)


def _per_kind(form_class, data, split):
    from deployments import rules

    params = inspect.signature(form_class.__init__).parameters
    where = {"deployment": split} if "deployment" in params else {"server": split.servers.first()}
    for kind in rules.get_pack(rules.DEFAULT_PACK).kinds(lambda _recipe: True):
        try:
            yield form_class(data=data, kind=kind, **where)
        except ValueError:
            continue  # a kind this form does not take (e.g. not a points-at target)


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", list(_project_forms()), ids=lambda cls: cls.__name__)
def test_no_form_of_the_project_renders_a_key_given_to_any_of_its_fields(form_class, split):
    fields = _bind(form_class, {}, split).fields
    data = {name: KEYS["pkcs8"] for name in fields}
    form = _bind(form_class, data, split)
    form.is_valid()  # errors rendered too (a ChoiceField quotes the value it refuses)
    rendered = str(form)
    assert _body(KEYS["pkcs8"]) not in rendered

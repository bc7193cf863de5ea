"""What a deployment's values may hold, checked where they come in (issue 9 item 8).

Every value that can reach an install script, an MMP command line, an OpenSSL or certreq
command (names, descriptions, subject attributes, FQDNs, tags, addresses) is checked here,
once, for the three ways in: the deployment file loader (``document_problems``), the model
field validators (so the web forms, which validate the model, and the admin get the same
answers) and anything else that calls ``full_clean``. What is refused: control and format
characters, line breaks, and what the MMP grammar cannot carry (SPEC R3.3: a double quote in
a value, spaces around it). The scripts quote what they write as well
(``certauthority.pki.quoting``), so a value stored before these checks is refused there.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from certauthority.pki.names import dns_name_is_valid
from certauthority.pki.quoting import describe_character, unsafe_character

from . import rules

INTERFACES = ("a", "b", "c", "d", "e", "lo")  # the MMP's interface names (SPEC R4.5)

Check = Callable[[str], "str | None"]


# --- the checks: a message when the value is refused, None when it is fine --------------------


def _character_problem(value: str, allow: str = "") -> str | None:
    bad = unsafe_character(value, allow=allow)
    if bad is None:
        return None
    return _(
        "it contains the character %(char)s, which could add a line or a hidden word to the "
        "install script: remove it."
    ) % {"char": describe_character(bad)}


def single_line_problem(value: str) -> str | None:
    """A name or label: one line of printable text."""
    return _character_problem(value)


def multiline_problem(value: str) -> str | None:
    """A description: printable text; line breaks allowed, it is never part of a command."""
    return _character_problem(value.replace("\r\n", "\n"), allow="\n")


def subject_problem(value: str) -> str | None:
    """O, OU, L, ST: what ``pki csr`` and OpenSSL's ``-subj`` both carry (SPEC R1.2, R3.3)."""
    problem = _character_problem(value)
    if problem:
        return problem
    if '"' in value:
        return _(
            "it contains a double quote, which the MMP cannot write inside a value (pki csr "
            "quotes values with double quotes, SPEC R3.3): leave it out."
        )
    if value != value.strip(" "):
        return _("it starts or ends with a space, which pki csr drops: remove the space.")
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return _("pki csr would drop the quotes around it: leave them out.")
    return None


def country_problem(value: str) -> str | None:
    if len(value) != 2 or not value.isascii() or not value.isalpha():
        return _("use the two-letter ISO 3166 code, e.g. GB or JP.")
    return None


def email_problem(value: str) -> str | None:
    problem = _character_problem(value)
    if problem:
        return problem
    if " " in value or '"' in value:
        return _("an e-mail address in a certificate has no spaces or quotes.")
    try:
        validate_email(value)
    except ValidationError:
        return _("it is not an e-mail address (name@example.com).")
    return None


def dns_problem(value: str) -> str | None:
    """An FQDN, a domain or a SAN entry: LDH labels, optional leading ``*.`` (SPEC R2.6)."""
    problem = _character_problem(value)
    if problem:
        return problem
    if not dns_name_is_valid(value):
        return _("it is not a DNS name (letters, digits and hyphens between dots).")
    return None


def address_problem(value: str) -> str | None:
    """A server address: an IP address or a DNS name."""
    problem = _character_problem(value)
    if problem:
        return problem
    try:
        ipaddress.ip_address(value)
        return None
    except ValueError:
        pass
    if dns_name_is_valid(value):
        return None
    return _("it is neither an IP address nor a DNS name.")


def interface_problem(value: str) -> str | None:
    if value not in INTERFACES:
        return _("the MMP's interfaces are %(names)s.") % {"names": ", ".join(INTERFACES)}
    return None


def iface_port_problem(value: str) -> str | None:
    if not rules.iface_port_is_valid(value):
        return _("it is not interface:port with a port from 1 to 65535, e.g. a:4999.")
    return None


# --- model field validators (the forms and the admin validate the model) -------------------------


def _message(value: object, problem: str) -> str:
    return _("%(value)s: %(problem)s") % {"value": _shown(value), "problem": problem}


def _shown(value: object) -> str:
    text = str(value)
    return text if unsafe_character(text) is None else ascii(text)


def _named(function: Callable[[Any], None], name: str, check: Check) -> Callable[[Any], None]:
    # Migrations name a validator by module and qualified name.
    function.__name__ = function.__qualname__ = name
    function.__doc__ = check.__doc__
    return function


def _validator(check: Check, name: str) -> Callable[[Any], None]:
    def validate(value: Any) -> None:
        if value in ("", None):
            return
        problem = check(str(value))
        if problem:
            raise ValidationError(_message(value, problem), code="script_unsafe")

    return _named(validate, name, check)


def _list_validator(check: Check, name: str) -> Callable[[Any], None]:
    def validate(values: Any) -> None:
        if values in ("", None):
            return
        if not isinstance(values, list | tuple):
            raise ValidationError(_("Give a list of values."), code="not_a_list")
        for value in values:
            if not isinstance(value, str):
                raise ValidationError(
                    _("%(value)s is not text.") % {"value": _shown(value)}, code="not_text"
                )
            problem = check(value)
            if problem:
                raise ValidationError(_message(value, problem), code="script_unsafe")

    return _named(validate, name, check)


validate_single_line = _validator(single_line_problem, "validate_single_line")
validate_multiline = _validator(multiline_problem, "validate_multiline")
validate_subject_value = _validator(subject_problem, "validate_subject_value")
validate_country = _validator(country_problem, "validate_country")
validate_email_value = _validator(email_problem, "validate_email_value")
validate_dns_name = _validator(dns_problem, "validate_dns_name")
validate_dns_names = _list_validator(dns_problem, "validate_dns_names")
validate_emails = _list_validator(email_problem, "validate_emails")
validate_addresses = _list_validator(address_problem, "validate_addresses")
validate_interfaces = _list_validator(interface_problem, "validate_interfaces")
validate_iface_ports = _list_validator(iface_port_problem, "validate_iface_ports")


# --- the deployment file loader -----------------------------------------------------------------

_SUBJECT_CHECKS: dict[str, Check] = {
    "O": subject_problem,
    "OU": subject_problem,
    "L": subject_problem,
    "ST": subject_problem,
    "C": country_problem,
    "emailAddress": email_problem,
}
_COMPONENT_CHECKS: dict[str, Check] = {
    "fqdn": dns_problem,
    "xmpp_domain": dns_problem,
    "srv_target": dns_problem,
}  # tag, load_balancer, trunk and public: validate_document checks their grammar already
_COMPONENT_LIST_CHECKS: dict[str, Check] = {"names": dns_problem}


def _check(problems: list[str], path: str, value: Any, check: Check) -> None:
    if isinstance(value, str):
        problem = check(value)
        if problem:
            problems.append(f"{path}: {problem}")


def _check_all(problems: list[str], path: str, values: Any, check: Check) -> None:
    if isinstance(values, list):
        for k, value in enumerate(values):
            _check(problems, f"{path}[{k}]", value, check)


def _items(value: Any) -> Iterable[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        yield from ((i, item) for i, item in enumerate(value) if isinstance(item, dict))


def document_problems(doc: dict[str, Any]) -> list[str]:
    """One line per value of a (schema-valid) deployment document that a script cannot carry."""
    problems: list[str] = []
    _check(problems, "name", doc.get("name"), single_line_problem)
    _check(problems, "description", doc.get("description"), multiline_problem)
    _check(problems, "domain", doc.get("domain"), dns_problem)
    _check(problems, "public_ca", doc.get("public_ca"), single_line_problem)
    _check(problems, "internal_ca", doc.get("internal_ca"), single_line_problem)
    subject = doc.get("subject")
    if isinstance(subject, dict):
        for key, check in _SUBJECT_CHECKS.items():
            _check(problems, f"subject.{key}", subject.get(key), check)
    lync = doc.get("lync")
    if isinstance(lync, dict):
        _check(problems, "lync.fqdn", lync.get("fqdn"), dns_problem)
    for i, server in _items(doc.get("servers")):
        where = f"servers[{i}]"
        _check(problems, f"{where}.fqdn", server.get("fqdn"), dns_problem)
        _check_all(problems, f"{where}.addresses", server.get("addresses"), address_problem)
        _check_all(problems, f"{where}.interfaces", server.get("interfaces"), interface_problem)
        for j, comp in _items(server.get("components")):
            at = f"{where}.components[{j}]"
            for key, check in _COMPONENT_CHECKS.items():
                _check(problems, f"{at}.{key}", comp.get(key), check)
            for key, check in _COMPONENT_LIST_CHECKS.items():
                _check_all(problems, f"{at}.{key}", comp.get(key), check)
    return problems

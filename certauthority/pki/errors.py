"""Errors that users can cause: each carries a message saying what is wrong and how to fix it."""

from __future__ import annotations


def as_clause(message: str) -> str:
    """A one-sentence message as a clause to follow a colon: 'the PEM text is cut short …'."""
    return (message[:1].lower() + message[1:]).rstrip(".")


class PKIError(Exception):
    """A problem with user-supplied cryptographic material or arguments.

    ``str(error)`` is one line, safe to show to a user: it never contains key material
    or passwords.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class PasswordRequired(PKIError):
    """The material is encrypted and no password was supplied."""


class WrongPassword(PKIError):
    """The supplied password does not decrypt the material."""


class WorkFactorTooHigh(PKIError):
    """The material asks for more key-derivation work than CertDesk allows (issue 9)."""


class MalformedMaterial(PKIError):
    """The data is a certificate or CSR, but one that breaks its format's rules (for
    instance an extension given twice): refused where it is loaded."""

    @property
    def reason(self) -> str:
        """The message as a clause: 'the certificate carries …', no final full stop."""
        return as_clause(self.message)

"""Errors as JSON with a message a person can act on, and a 4xx, never a 5xx (issue 13)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from certauthority.pki.errors import PKIError
from certauthority.services.errors import CAError


def api_exception_handler(exc, context):
    """DRF's handler, plus the service errors CertDesk raises on bad input."""
    if isinstance(exc, (PKIError, CAError)):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (IntegrityError, DataError)):
        return Response(
            {"detail": f"Not saved: {exc}".splitlines()[0]}, status=status.HTTP_409_CONFLICT
        )
    return exception_handler(exc, context)

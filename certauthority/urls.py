"""URLs of the CA: /ca/… pages (login required) and /crl/, /ocsp/ (public)."""

app_name = "certauthority"

urlpatterns: list = []

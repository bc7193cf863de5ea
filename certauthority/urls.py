"""URLs of the CA: /ca/… pages (login required) and /crl/, /ocsp/ (public)."""

from django.urls import path

from . import views

app_name = "certauthority"

urlpatterns = [
    path("ca/", views.ca_list, name="ca-list"),
    path("ca/new/", views.ca_create, name="ca-create"),
    path("ca/sign/", views.sign, name="sign"),
    path("ca/certificates/", views.certificate_list, name="certificate-list"),
    path("ca/certificates/<int:pk>/", views.certificate_detail, name="certificate-detail"),
    path(
        "ca/certificates/<int:pk>/download/<str:kind>/",
        views.certificate_download,
        name="certificate-download",
    ),
    path("ca/certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate-revoke"),
    path("ca/certificates/<int:pk>/key/", views.certificate_key_download, name="certificate-key"),
    path("ca/audit/", views.audit_list, name="audit-list"),
    path("ca/<slug:slug>/", views.ca_detail, name="ca-detail"),
    path(
        "ca/<slug:slug>/certificate.pem",
        views.ca_download,
        {"kind": "certificate"},
        name="ca-certificate",
    ),
    path("ca/<slug:slug>/chain.pem", views.ca_download, {"kind": "chain"}, name="ca-chain"),
    path("ca/<slug:slug>/urls/", views.ca_set_url, name="ca-set-url"),
    path("crl/<slug:slug>.crl", views.crl, name="crl"),
    path("crl/<slug:slug>.crt", views.ca_issuer_certificate, name="ca-issuer-certificate"),
    path("ocsp/<slug:slug>/", views.ocsp, name="ocsp"),
    path("ocsp/<slug:slug>/<path:encoded>", views.ocsp, name="ocsp-get"),
]

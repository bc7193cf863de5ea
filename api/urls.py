"""/api/v1/… (issue 13), the OpenAPI description and its browsable docs."""

from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

DEPLOYMENT = "v1/deployments/<int:pk>/"
SERVER = DEPLOYMENT + "servers/<int:server_pk>/"

urlpatterns = [
    # The schema for scripts (token or session); the docs page for people logged in.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    # login_required: a person who is logged out is sent to the login page, not shown a 401.
    path(
        "docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("v1/deployments/", views.DeploymentList.as_view(), name="deployment-list"),
    path(DEPLOYMENT, views.DeploymentDetail.as_view(), name="deployment-detail"),
    path(DEPLOYMENT + "plan/", views.DeploymentPlan.as_view(), name="deployment-plan"),
    path(DEPLOYMENT + "findings/", views.DeploymentFindings.as_view(), name="deployment-findings"),
    path(DEPLOYMENT + "issue/", views.DeploymentIssue.as_view(), name="deployment-issue"),
    path(DEPLOYMENT + "jobs/<int:job_pk>/", views.DeploymentJob.as_view(), name="deployment-job"),
    path(DEPLOYMENT + "bundle.zip", views.DeploymentZip.as_view(), name="deployment-zip"),
    path(DEPLOYMENT + "servers/", views.ServerList.as_view(), name="server-list"),
    path(SERVER, views.ServerDetail.as_view(), name="server-detail"),
    path(SERVER + "bundle.zip", views.DeploymentZip.as_view(), name="server-zip"),
    path(SERVER + "components/", views.ComponentList.as_view(), name="component-list"),
    path(
        SERVER + "components/<int:component_pk>/",
        views.ComponentDetail.as_view(),
        name="component-detail",
    ),
    path("v1/cas/", views.CAList.as_view(), name="ca-list"),
    path("v1/cas/<int:pk>/", views.CADetail.as_view(), name="ca-detail"),
    path("v1/cas/<int:pk>/sign/", views.CASign.as_view(), name="ca-sign"),
    path("v1/certificates/", views.CertificateList.as_view(), name="certificate-list"),
    path("v1/certificates/<int:pk>/", views.CertificateDetail.as_view(), name="certificate-detail"),
    path(
        "v1/certificates/<int:pk>/download/",
        views.CertificateDownload.as_view(),
        name="certificate-download",
    ),
    path("v1/certificates/<int:pk>/key/", views.CertificateKey.as_view(), name="certificate-key"),
    path(
        "v1/certificates/<int:pk>/renew/",
        views.CertificateRenew.as_view(),
        name="certificate-renew",
    ),
    path("v1/expiry/", views.ExpirySummary.as_view(), name="expiry"),
    path("v1/tools/inspect/", views.Tool.as_view(tool="inspect"), name="tool-inspect"),
    path("v1/tools/match/", views.Tool.as_view(tool="match"), name="tool-match"),
    path("v1/tools/verify/", views.Tool.as_view(tool="verify"), name="tool-verify"),
]

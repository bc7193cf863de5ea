"""Deployment pages, mounted at /deployments/ (config/urls.py)."""

from django.urls import path

from . import views

app_name = "deployments"

urlpatterns = [
    path("", views.DeploymentListView.as_view(), name="list"),
    path("new/", views.DeploymentCreateView.as_view(), name="create"),
    path("knowledge/", views.KnowledgeView.as_view(), name="knowledge"),
    path("knowledge/<slug:pack>/", views.KnowledgeView.as_view(), name="knowledge-pack"),
    path("<int:pk>/", views.DeploymentDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.DeploymentEditView.as_view(), name="edit"),
    path("<int:pk>/plan/", views.PlanView.as_view(), name="plan"),
    path("<int:pk>/plan/issue/", views.PlanIssueView.as_view(), name="plan-issue"),
    path("<int:pk>/plan/<int:plan_pk>/csr/", views.PlanCsrView.as_view(), name="plan-csr"),
    path("<int:pk>/plan/<int:plan_pk>/attach/", views.PlanAttachView.as_view(), name="plan-attach"),
    path("<int:pk>/plan/<int:plan_pk>/edit/", views.PlanEditView.as_view(), name="plan-edit"),
    path("<int:pk>/findings/", views.FindingsView.as_view(), name="findings"),
    path("<int:pk>/servers/new/", views.ServerEditView.as_view(), name="server-create"),
    path(
        "<int:pk>/servers/<int:server_pk>/edit/", views.ServerEditView.as_view(), name="server-edit"
    ),
    path(
        "<int:pk>/servers/<int:server_pk>/delete/",
        views.ServerDeleteView.as_view(),
        name="server-delete",
    ),
    path(
        "<int:pk>/servers/<int:server_pk>/script/",
        views.ServerScriptView.as_view(),
        name="server-script",
    ),
    path("<int:pk>/jobs/<int:job_pk>/", views.IssueJobStatusView.as_view(), name="issue-job"),
    path("<int:pk>/bundle.zip", views.DeploymentZipView.as_view(), name="zip"),
    path(
        "<int:pk>/servers/<int:server_pk>/bundle.zip",
        views.DeploymentZipView.as_view(),
        name="server-zip",
    ),
    path(
        "<int:pk>/servers/<int:server_pk>/components/new/",
        views.ComponentEditView.as_view(),
        name="component-create",
    ),
    path(
        "<int:pk>/servers/<int:server_pk>/components/<int:component_pk>/edit/",
        views.ComponentEditView.as_view(),
        name="component-edit",
    ),
    path(
        "<int:pk>/servers/<int:server_pk>/components/<int:component_pk>/delete/",
        views.ComponentDeleteView.as_view(),
        name="component-delete",
    ),
]

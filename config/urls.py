"""URL configuration. Every page requires login (LoginRequiredMiddleware) except those marked
with login_not_required: the login page, the language switch, CRLs and OCSP."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from core import views as core_views

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("system/heartbeat/", core_views.heartbeat, name="heartbeat"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("tools/", include("core.tools_urls")),
    path("", include("certauthority.urls")),
    path("deployments/", include("deployments.urls")),
    path("expiry/", include("expiry.urls")),
    path("rules/", include("deployments.rule_urls")),
    path("api/", include("api.urls")),
    path("accounts/tokens/", include("api.profile_urls")),
    path("admin/", admin.site.urls),
]

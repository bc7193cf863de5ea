"""Rule pages, mounted at /rules/ (config/urls.py)."""

from django.urls import path

from . import rule_views

app_name = "rules"

urlpatterns = [
    path("", rule_views.RuleIndexView.as_view(), name="index"),
    # Any text reaches the view (after the login and role checks), which answers 404 for
    # anything that is not one of the pack's rule numbers.
    path("<str:number>/", rule_views.RuleDetailView.as_view(), name="detail"),
]

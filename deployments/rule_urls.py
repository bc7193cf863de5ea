"""Rule pages, mounted at /rules/ (config/urls.py)."""

from django.urls import re_path

from . import rule_views

app_name = "rules"

urlpatterns = [
    re_path(r"^$", rule_views.RuleIndexView.as_view(), name="index"),
    # Any well-formed number reaches the view, which answers 404 for one the pack lacks.
    re_path(
        r"^(?P<number>[RX]\d{1,2}(?:\.\d{1,2}){1,3})/$",
        rule_views.RuleDetailView.as_view(),
        name="detail",
    ),
]

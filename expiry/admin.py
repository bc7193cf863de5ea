"""The admin is where webhooks are configured and where a failed notice shows (issue 12)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Notification, Webhook


class WebhookForm(forms.ModelForm):
    """The secret is never sent back to the browser: left empty, the stored one is kept."""

    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = Webhook
        fields = ["name", "url", "format", "secret", "is_active"]
        widgets = {"secret": forms.PasswordInput(render_value=False)}

    def clean_secret(self) -> str:
        value = self.cleaned_data.get("secret", "")
        if not value and self.instance.pk:
            return self.instance.secret
        return value


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "format", "url", "is_active", "created_at"]
    list_filter = ["format", "is_active"]
    # The shared secret is write-only here: a password field, never in the list.

    form = WebhookForm


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "certificate", "threshold", "channel", "state", "attempts", "created_at", "sent_at",
        "short_error",
    ]  # fmt: skip
    list_filter = ["state", "threshold", "channel"]
    search_fields = ["certificate__common_name", "last_error"]
    raw_id_fields = ["certificate"]
    readonly_fields = [
        "certificate", "threshold", "channel", "webhook", "days_left", "scan", "attempts",
        "recipients", "created_at", "sent_at", "last_error",
    ]  # fmt: skip

    @admin.display(description=_("last error"))
    def short_error(self, obj: Notification) -> str:
        return obj.last_error[:120]

    def has_add_permission(self, request) -> bool:
        return False

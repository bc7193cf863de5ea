from django.contrib import admin

from .models import CertificatePlan, Component, Deployment, Server


class ServerInline(admin.TabularInline):
    model = Server
    extra = 0


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "topology", "strategy", "internal_ca"]
    search_fields = ["name", "domain"]
    inlines = [ServerInline]


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ["deployment", "server", "kind", "fqdn", "tag"]
    list_filter = ["kind"]


@admin.register(CertificatePlan)
class CertificatePlanAdmin(admin.ModelAdmin):
    list_display = ["deployment", "basename", "common_name", "signer", "purpose"]
    list_filter = ["signer", "purpose"]
    raw_id_fields = ["keypair", "signing_request", "certificate"]

"""Webhook endpoints, their deliveries and every attempt: a super admin's alone, like integrations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from apps.integrations.admin import SuperuserOnlyAdminMixin
from apps.webhooks.models import EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from apps.webhooks.services import (
    WebhookEndpointRefused,
    webhook_deliveries_redeliver,
    webhook_endpoint_create,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
    webhook_url_check,
)

SECRET_ISSUED_TEMPLATE = "admin/webhooks/secret_issued.html"


class WebhookEndpointForm(forms.ModelForm):
    types = forms.MultipleChoiceField(choices=EventType.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ["integration", "url", "types", "is_active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if self.instance.pk is None or url != self.instance.url:
            try:
                webhook_url_check(url=url)
            except WebhookEndpointRefused as refused:
                raise forms.ValidationError(refused.message) from None
        return url


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["started_at", "status_code", "duration_ms", "error", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "integration", "event_types", "is_active", "deactivated_reason", "created_at"]
    list_filter = ["is_active", "integration"]
    list_select_related = ["integration"]
    search_fields = ["url", "integration__name"]
    readonly_fields = ["deactivated_reason", "created_at", "updated_at"]
    actions = ["rotate_secrets"]

    def get_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> list[str]:
        if obj is None:
            return ["integration", "url", "types", "is_active"]
        return ["integration", "url", "types", "is_active", "deactivated_reason", "created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> list[str]:
        return [*self.readonly_fields, "integration"] if obj is not None else self.readonly_fields

    @admin.display(description="Types")
    def event_types(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.types)

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: forms.ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        if change:
            webhook_endpoint_update(
                endpoint=obj, url=data["url"], types=data["types"], is_active=data["is_active"]
            )
            return
        issued = webhook_endpoint_create(
            integration=data["integration"], url=data["url"], types=data["types"]
        )
        obj.pk, obj.secret = issued.endpoint.pk, issued.secret
        obj.issued_secret = issued.secret

    def response_add(
        self, request: HttpRequest, obj: WebhookEndpoint, post_url_continue: str | None = None
    ) -> HttpResponse:
        endpoint = WebhookEndpoint.objects.select_related("integration").get(pk=obj.pk)
        return self._secret_page(request, [(endpoint, obj.issued_secret)], title="Webhook endpoint created")

    @admin.action(description="Rotate the secret of the selected endpoints", permissions=["change"])
    def rotate_secrets(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> HttpResponse:
        issued = []
        for endpoint in queryset.select_related("integration"):
            issued.append((endpoint, webhook_endpoint_rotate_secret(endpoint=endpoint)))
            self.log_change(request, endpoint, "Rotated the secret.")
        return self._secret_page(request, issued, title="New webhook secrets")

    def _secret_page(self, request: HttpRequest, issued: list, *, title: str) -> HttpResponse:
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "issued": issued,
            "changelist_url": reverse("admin:webhooks_webhookendpoint_changelist"),
        }
        response = TemplateResponse(request, SECRET_ISSUED_TEMPLATE, context)
        add_never_cache_headers(response)  # the page holds secrets
        return response


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Every delivery and its attempts, read-only; redeliver sends the same message again."""

    list_display = [
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "succeeded_at",
        "last_error",
    ]
    list_filter = ["status", "event_type", "endpoint__integration"]
    list_select_related = ["endpoint__integration"]
    search_fields = ["webhook_id", "message_key", "endpoint__url"]
    date_hierarchy = "created_at"
    fields = [
        "endpoint",
        "event_type",
        "webhook_id",
        "message_key",
        "status",
        "attempts",
        "next_attempt_at",
        "succeeded_at",
        "last_error",
        "body",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["redeliver"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Redeliver the selected deliveries (same webhook-id)")
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = webhook_deliveries_redeliver(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            f"Queued {count} delivery(ies) again (pending ones and those to inactive endpoints are skipped).",
            messages.SUCCESS,
        )

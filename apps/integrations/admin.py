from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from apps.integrations.models import CheckInGrant, Integration, SyncRequest
from apps.integrations.services import (
    IssuedToken,
    integration_activate,
    integration_deactivate,
    integration_rotate_token,
    integration_save_new,
)

TOKEN_ISSUED_TEMPLATE = "admin/integrations/integration/token_issued.html"
ROTATE_CONFIRM_TEMPLATE = "admin/integrations/integration/rotate_confirmation.html"


class SuperuserOnlyAdminMixin:
    """Integrations and their tokens are a super admin's alone, whatever permissions a group was given."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser


@admin.register(Integration)
class IntegrationAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "is_active", "token_prefix", "agent_token", "created_at", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "token_prefix"]
    # The token hash is `editable=False` and listed nowhere: it is useless to people and best unseen.
    readonly_fields = ["token_prefix", "agent_token", "created_at", "updated_at"]
    actions = ["rotate_tokens", "activate", "deactivate"]

    def get_fields(self, request: HttpRequest, obj: Integration | None = None) -> list[str]:
        if obj is None:
            return ["name", "is_active"]  # the tokens do not exist yet: they are issued on save
        return ["name", "is_active", "token_prefix", "agent_token", "created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Integration | None = None) -> list[str]:
        if obj is None:
            return self.readonly_fields
        # Switching an existing integration on or off goes through the actions (the services), so
        # the change form cannot do it on the side.
        return [*self.readonly_fields, "is_active"]

    def save_model(self, request: HttpRequest, obj: Integration, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = integration_save_new(integration=obj)
        # Kept on the instance for response_add only; the plain token is never stored.
        obj.issued_token = issued

    def response_add(
        self, request: HttpRequest, obj: Integration, post_url_continue: str | None = None
    ) -> HttpResponse:
        issued: IssuedToken | None = getattr(obj, "issued_token", None)
        if issued is None:
            return super().response_add(request, obj, post_url_continue)
        return self._token_page(request, [issued], title="Integration created")

    @admin.action(description="Rotate the token of the selected integrations", permissions=["change"])
    def rotate_tokens(self, request: HttpRequest, queryset: QuerySet[Integration]) -> HttpResponse | None:
        # Rotating cuts off the live system at once, so it asks first, like Django's own delete action.
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Rotate integration tokens?",
                "opts": self.model._meta,
                "integrations": list(queryset),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "action_name": "rotate_tokens",
            }
            return TemplateResponse(request, ROTATE_CONFIRM_TEMPLATE, context)
        issued = [integration_rotate_token(integration=integration) for integration in queryset]
        for token in issued:
            self.log_change(request, token.integration, "Rotated the token.")
        return self._token_page(request, issued, title="New tokens issued")

    @admin.action(description="Activate the selected integrations", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Integration]) -> None:
        integrations = list(queryset.filter(is_active=False))
        for integration in integrations:
            integration_activate(integration=integration)
            self.log_change(request, integration, "Activated.")
        self.message_user(
            request,
            f"Activated {len(integrations)} integration(s); their tokens work again.",
            messages.SUCCESS,
        )

    @admin.action(description="Deactivate the selected integrations", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Integration]) -> None:
        integrations = list(queryset.filter(is_active=True))
        for integration in integrations:
            integration_deactivate(integration=integration)
            self.log_change(request, integration, "Deactivated.")
        self.message_user(
            request,
            f"Deactivated {len(integrations)} integration(s); their tokens no longer work.",
            messages.SUCCESS,
        )

    def _token_page(self, request: HttpRequest, issued: list[IssuedToken], *, title: str) -> HttpResponse:
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "issued": issued,
            "changelist_url": reverse("admin:integrations_integration_changelist"),
        }
        response = TemplateResponse(request, TOKEN_ISSUED_TEMPLATE, context)
        # The page holds secrets: no browser or proxy may keep a copy.
        add_never_cache_headers(response)
        return response


@admin.register(SyncRequest)
class SyncRequestAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Every sync request as it came in: read-only, for operators tracing what an integration sent."""

    list_display = [
        "received_at",
        "integration",
        "events_received",
        "status_counts",
        "action_counts",
        "duration_ms",
        "request_id",
    ]
    list_filter = ["integration", "received_at"]
    list_select_related = ["integration"]
    search_fields = ["request_id"]
    date_hierarchy = "received_at"
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Statuses")
    def status_counts(self, obj: SyncRequest) -> str:
        return ", ".join(f"{status} {count}" for status, count in obj.statuses.items()) or "—"

    @admin.display(description="Actions")
    def action_counts(self, obj: SyncRequest) -> str:
        return ", ".join(f"{action} {count}" for action, count in obj.actions.items()) or "—"


@admin.register(CheckInGrant)
class CheckInGrantAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Which integrations see (and may check guests in and out of) every visit at which locations."""

    list_display = ["integration", "location", "created_at"]
    list_filter = ["integration", "location"]
    list_select_related = ["integration", "location"]
    fields = ["integration", "location"]

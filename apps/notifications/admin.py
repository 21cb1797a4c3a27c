from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator

from apps.notifications.models import OutboxMessage
from apps.notifications.selectors import outbox_health_get
from apps.notifications.services import outbox_message_resend


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The delivery log: read-only, since rows are facts about what was owed and what happened."""

    list_display = [
        "id",
        "kind",
        "recipient",
        "event",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "error_summary",
    ]
    list_filter = ["status", "kind", "created_at"]
    search_fields = [
        "invitation__contact__email",
        "invitation__contact__first_name",
        "invitation__contact__last_name",
        "employee__email",
        "employee__last_name",
        "event__name",
        "last_error",
    ]
    list_select_related = ["event", "invitation__contact", "employee"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = [
        "kind",
        "status",
        "event",
        "invitation",
        "employee",
        "payload",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "next_attempt_at",
        "sent_at",
        "updated_at",
    ]
    readonly_fields = fields

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        # Failures must be seen without anyone thinking of filtering for them.
        extra_context = {**(extra_context or {}), "outbox_health": outbox_health_get()}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Recipient")
    def recipient(self, obj: OutboxMessage) -> str:
        return str(obj.invitation.contact if obj.invitation_id else obj.employee)

    @admin.display(description="Last error", ordering="last_error")
    def error_summary(self, obj: OutboxMessage) -> str:
        return Truncator(obj.last_error).chars(120)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description="Resend selected failed or skipped messages", permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        selected = list(queryset.values_list("pk", flat=True))
        queued = outbox_message_resend(message_ids=selected)
        if queued:
            self.message_user(request, f"{queued} message(s) queued for sending again.", messages.SUCCESS)
        if len(selected) > queued:
            self.message_user(
                request,
                f"{len(selected) - queued} message(s) left alone: "
                "only failed or skipped messages are sent again.",
                messages.WARNING,
            )

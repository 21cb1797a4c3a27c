"""The privacy record in the admin: read-only, searchable by a guest's address (hashed for the look-up)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.privacy.hashing import NotAnEmail, address_hash, address_normalize
from apps.privacy.models import PrivacyRecord


@admin.register(PrivacyRecord)
class PrivacyRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "counts", "address_hash"]
    list_filter = ["action", "door"]
    search_fields = ["actor"]
    search_help_text = "A guest's email address finds the requests about it; other text searches the actor."
    fields = ["created_at", "door", "actor", "action", "address_hash", "counts"]
    readonly_fields = fields
    date_hierarchy = "created_at"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[PrivacyRecord], search_term: str
    ) -> tuple[QuerySet[PrivacyRecord], bool]:
        try:
            address = address_normalize(text=search_term)
        except NotAnEmail:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(address_hash=address_hash(address=address)), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""The back office's view of events, guests, invitations and their audit trail.

The reconciliation engine is the only writer of these models (it keeps guest notifications, contacts and
the outbox consistent), so nothing here saves through a ModelAdmin: add, change and delete are off and
the change pages render as read-only views. Reception's actions on guests call the front desk's services.

What a user sees comes from apps.visits.access (changelists, change pages, autocomplete, filters, counts
and actions alike), so another location's visit is a 404. Times are shown in each visit's location's
time zone with its abbreviation, and a date filter's "today" is the user's location's today.
"""

from __future__ import annotations

import json
import zoneinfo
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from apps.core.times import time_in_zone
from apps.directory.models import CustomField
from apps.reception.event_editing import EventEditForm, GuestEditFormSet, event_edit_initial, event_edit_save
from apps.reception.services import invitation_cancel
from apps.visits.access import (
    FRONTDESK_PERMISSION,
    NotFoundOutsideScopeMixin,
    audit_entry_queryset_restrict,
    contact_queryset_restrict,
    event_queryset_restrict,
    invitation_queryset_restrict,
    location_queryset_restrict,
)
from apps.visits.actors import Actor, Door
from apps.visits.checkins import CheckInRefused, invitation_check_in, invitation_check_out
from apps.visits.models import AuditEntry, Contact, Event, Invitation
from apps.visits.selectors import invitation_effective_custom_fields
from apps.visits.services import InvitationActionRefused, invitation_resend


class ReadOnlyAdminMixin:
    """View permission only: the engine, not the admin form, writes these rows."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


local_time = time_in_zone  # the admin shows every time in its location's zone


def user_zone(request: HttpRequest) -> zoneinfo.ZoneInfo | None:
    """The one time zone of the locations the user works at, if they share one (for date filters)."""
    if request.user.is_superuser:
        return None
    zones = set(location_queryset_restrict(user=request.user).values_list("timezone", flat=True)[:2])
    return zoneinfo.ZoneInfo(zones.pop()) if len(zones) == 1 else None


class LocalDayChangelistMixin:
    """Date filters and the date hierarchy count days in the user's location's zone, not UTC."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        zone = user_zone(request)
        if zone is None:
            return super().changelist_view(request, extra_context)
        with timezone.override(zone):
            response = super().changelist_view(request, extra_context)
            if isinstance(response, TemplateResponse):
                response.render()
            return response


def _custom_field_rows(values: dict[str, Any], names: dict[int, str] | None = None) -> str:
    """`{"7": "B-XY 123"}` as "Licence plate (7): B-XY 123" lines, with one query for the field names."""
    if not values:
        return "—"
    ids = [int(key) for key in values if key.isdigit()]
    if names is None:
        names = dict(CustomField.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = [
        (
            names.get(int(key), "Unknown field") if key.isdigit() else "Unknown field",
            key,
            value if isinstance(value, str) else json.dumps(value),
        )
        for key, value in sorted(values.items(), key=lambda item: (len(item[0]), item[0]))
    ]
    return format_html_join(mark_safe("<br>"), "{} ({}): {}", rows)


def _frontdesk(request: HttpRequest) -> bool:
    return request.user.has_perm(FRONTDESK_PERMISSION)


class InvitationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Invitation
    extra = 0
    fields = [
        "guest",
        "status",
        "language",
        "checked_in",
        "checked_out",
        "effective_custom_fields",
        "profiles",
    ]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "Guests"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invitation]:
        visible = invitation_queryset_restrict(user=request.user, queryset=super().get_queryset(request))
        return visible.select_related("contact", "event__location").prefetch_related(
            "access_profiles__partition"
        )

    @admin.display(description="Guest")
    def guest(self, obj: Invitation) -> str:
        contact = obj.contact
        name = contact.full_name or contact.email
        link = reverse("admin:visits_invitation_change", args=[obj.pk])
        company = f", {contact.company_name}" if contact.company_name else ""
        return format_html('<a href="{}">{}</a>{}', link, name, company)

    @admin.display(description="Checked in")
    def checked_in(self, obj: Invitation) -> str:
        return local_time(obj.checked_in_at, obj.event.location.timezone) if obj.checked_in_at else "—"

    @admin.display(description="Checked out")
    def checked_out(self, obj: Invitation) -> str:
        return local_time(obj.checked_out_at, obj.event.location.timezone) if obj.checked_out_at else "—"

    @admin.display(description="Custom fields")
    def effective_custom_fields(self, obj: Invitation) -> str:
        return _custom_field_rows(
            invitation_effective_custom_fields(invitation=obj), self._field_names(obj.event)
        )

    def _field_names(self, event: Event) -> dict[int, str]:
        # The names of every field the event's guests carry, read once for the page, not once per guest
        # row (the inline is made afresh for each request, so this cache lives for one page).
        cached = getattr(self, "_names_of_event", None)
        if cached is None or cached[0] != event.pk:
            keys = set(event.custom_fields or {})
            for values in Invitation.objects.filter(event_id=event.pk).values_list(
                "custom_fields", flat=True
            ):
                keys.update(values or {})
            ids = [int(key) for key in keys if key.isdigit()]
            cached = (event.pk, dict(CustomField.objects.filter(pk__in=ids).values_list("pk", "name")))
            self._names_of_event = cached
        return cached[1]

    @admin.display(description="Access profiles")
    def profiles(self, obj: Invitation) -> str:
        return ", ".join(str(profile) for profile in obj.access_profiles.all()) or "—"


class LocationOfEventFilter(admin.RelatedOnlyFieldListFilter):
    """Only the locations of the visits the user may see (never another location's name)."""


@admin.register(Event)
class EventAdmin(NotFoundOutsideScopeMixin, LocalDayChangelistMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "when", "host_name", "guest_count", "status", "owner"]
    list_filter = ["status", ("location", LocationOfEventFilter), "starts_at"]
    list_select_related = ["location", "host", "integration"]
    search_fields = ["name", "source_id", "host__email", "host__last_name"]
    date_hierarchy = "starts_at"
    readonly_fields = [
        "owner_note",
        "starts",
        "ends",
        "event_custom_fields",
        "badges",
        "audit_trail",
        "created",
        "updated",
    ]
    fields = [
        "owner_note",
        "name",
        "description",
        "status",
        ("starts", "ends"),
        ("location", "entrance"),
        ("host", "creator"),
        "event_custom_fields",
        "badges",
        "audit_trail",
        ("created", "updated"),
    ]
    inlines = [InvitationInline]

    # Portal-made events are edited through the engine by those who may (super and location admins);
    # integrations' events stay read-only here, and nobody deletes events in the admin.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("visits.add_event")

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        # Only the portal's own visits, keyed by the portal's source id, can be handed to the engine.
        if obj is not None and (obj.integration_id is not None or not obj.source_id):
            return False
        return request.user.has_perm("visits.change_event")

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self._edit_view(request, None)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        event = self.get_object(request, object_id)
        if request.method == "GET" and request.GET.get("edit") and self.has_change_permission(request, event):
            return self._edit_view(request, event)
        if request.method == "POST":
            if not self.has_change_permission(request, event):
                raise PermissionDenied
            return self._edit_view(request, event)
        # The page names the event in its location's time, not the model's UTC `__str__`.
        label = f"{event.name} ({self.when(event)})"
        context = {**(extra_context or {}), "subtitle": label, "event_label": label}
        if self.has_change_permission(request, event):
            context["edit_url"] = f"{request.path}?edit=1"
        # This page only shows the event (every field read-only, no save buttons): editing is the form
        # of `_edit_view`, which calls the engine.
        context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().change_view(request, object_id, form_url, context)

    def get_readonly_fields(self, request: HttpRequest, obj: Event | None = None) -> list[str]:
        names = [name for entry in self.fields for name in (entry if isinstance(entry, tuple) else (entry,))]
        return list(dict.fromkeys([*self.readonly_fields, *names]))

    def _edit_view(self, request: HttpRequest, event: Event | None) -> HttpResponse:
        initial, guest_rows = event_edit_initial(event=event) if event is not None else ({}, [])
        post = request.POST if request.method == "POST" else None
        form = EventEditForm(post, initial=initial, user=request.user)
        guests = GuestEditFormSet(post, initial=guest_rows, prefix="guests")
        if post is not None and form.is_valid() and guests.is_valid():
            result = event_edit_save(
                actor=Actor.of_user(request.user, door=Door.ADMIN),
                event=event,
                form=form,
                guests=guests.forms,
            )
            if result.ok:
                saved = Event.objects.get(pk=result.id)
                self.message_user(request, f"Saved “{saved.name}”: {result.action}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:visits_event_change", args=[saved.pk]))
        title = f"Change {event.name}" if event is not None else "Add a visit"
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "guests": guests,
            "event": event,
            "statuses": _guest_statuses(event),
        }
        return TemplateResponse(request, "admin/visits/event/edit.html", context)

    @admin.display(description="Created")
    def created(self, obj: Event) -> str:
        return local_time(obj.created_at, obj.location.timezone)

    @admin.display(description="Last changed")
    def updated(self, obj: Event) -> str:
        return local_time(obj.updated_at, obj.location.timezone)

    def get_list_filter(self, request: HttpRequest) -> list:
        if request.user.is_superuser:
            return [*self.list_filter, ("integration", admin.RelatedOnlyFieldListFilter)]
        return self.list_filter

    def get_list_display(self, request: HttpRequest) -> list:
        # A column of one and the same location says nothing to someone who works at one.
        if user_zone(request) is None:
            return [*self.list_display[:2], "location", *self.list_display[2:]]
        return self.list_display

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        visible = event_queryset_restrict(user=request.user, queryset=super().get_queryset(request))
        return visible.annotate(guest_total=Count("invitations"))

    @admin.display(description="Guests", ordering="guest_total")
    def guest_count(self, obj: Event) -> int:
        return obj.guest_total

    @admin.display(description="When", ordering="starts_at")
    def when(self, obj: Event) -> str:
        zone = zoneinfo.ZoneInfo(obj.location.timezone)
        start, end = obj.starts_at.astimezone(zone), obj.ends_at.astimezone(zone)
        if start.date() == end.date():
            return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} {end.tzname()}"  # noqa: RUF001 - a range dash
        zone_name = obj.location.timezone
        return f"{local_time(obj.starts_at, zone_name)} – {local_time(obj.ends_at, zone_name)}"  # noqa: RUF001

    @admin.display(description="Host", ordering="host__last_name")
    def host_name(self, obj: Event) -> str:
        return obj.host.full_name or obj.host.email

    @admin.display(description="Starts", ordering="starts_at")
    def starts(self, obj: Event) -> str:
        return local_time(obj.starts_at, obj.location.timezone)

    @admin.display(description="Ends", ordering="ends_at")
    def ends(self, obj: Event) -> str:
        return local_time(obj.ends_at, obj.location.timezone)

    @admin.display(description="Made by", ordering="integration__name")
    def owner(self, obj: Event) -> str:
        return obj.integration.name if obj.integration_id else "Portal"

    @admin.display(description="Owner")
    def owner_note(self, obj: Event) -> str:
        if obj.integration_id:
            return format_html(
                "This visit belongs to <strong>{}</strong> (its id there: {}): change it in that system; "
                "changes here would be overwritten by its next sync.",
                obj.integration.name,
                obj.source_id,
            )
        return "Made in the portal."

    @admin.display(description="Custom fields")
    def event_custom_fields(self, obj: Event) -> str:
        return _custom_field_rows(obj.custom_fields)

    @admin.display(description="Badges")
    def badges(self, obj: Event) -> str:
        return format_html(
            '<a href="{}">Print a badge for every guest</a>', reverse("frontdesk:badge_sheet", args=[obj.pk])
        )

    @admin.display(description="Audit trail")
    def audit_trail(self, obj: Event) -> str:
        entries = list(
            obj.audit_entries.select_related("invitation__contact").order_by("-created_at", "-id")[:10]
        )
        if not entries:
            return "—"
        zone = obj.location.timezone
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    local_time(entry.created_at, zone),
                    entry.actor,
                    entry.get_action_display(),
                    entry.invitation.contact if entry.invitation_id else "the event",
                )
                for entry in entries
            ),
        )
        link = f"{reverse('admin:visits_auditentry_changelist')}?event__id__exact={obj.pk}"
        return format_html(
            '<table>{}</table><a href="{}">The whole audit trail of this event</a>', rows, link
        )


def _guest_statuses(event: Event | None) -> dict[str, str]:
    """Each current guest's status by their key, shown next to the guest rows of the edit form."""
    if event is None:
        return {}
    zone = event.location.timezone
    statuses = {}
    for invitation in event.invitations.select_related("contact"):
        status = invitation.get_status_display()
        if invitation.checked_in_at:
            status = f"{status} ({local_time(invitation.checked_in_at, zone)})"
        statuses[invitation.contact.source_id or ""] = status
    return statuses


class ContactInvitationInline(InvitationInline):
    fields = ["event", "status", "language", "checked_in", "checked_out"]
    readonly_fields = fields


@admin.register(Contact)
class ContactAdmin(NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "email", "company_name", "updated_at"]
    list_select_related = ["integration"]
    search_fields = ["email", "first_name", "last_name", "company_name", "source_id"]
    fields = [
        ("first_name", "last_name"),
        "email",
        "company_name",
        ("integration", "source_id"),
        ("created_at", "updated_at"),
    ]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ContactInvitationInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contact]:
        return contact_queryset_restrict(user=request.user, queryset=super().get_queryset(request))

    def get_list_filter(self, request: HttpRequest) -> list:
        return [("integration", admin.RelatedOnlyFieldListFilter)] if request.user.is_superuser else []


@admin.register(Invitation)
class InvitationAdmin(
    NotFoundOutsideScopeMixin, LocalDayChangelistMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    list_display = ["guest", "company", "event_name", "starts", "status", "checked_in"]
    list_filter = ["status", ("event__location", LocationOfEventFilter), "event__starts_at"]
    list_select_related = ["contact", "event__location"]
    search_fields = [
        "contact__email",
        "contact__first_name",
        "contact__last_name",
        "contact__company_name",
        "event__name",
    ]
    fields = [
        "event",
        "contact",
        "status",
        "cancel_reason",
        "language",
        "effective_custom_fields",
        "access_profiles",
        ("checked_in", "checked_out"),
        "badge",
        "sequence",
        ("created_at", "updated_at"),
    ]
    readonly_fields = [
        "effective_custom_fields",
        "checked_in",
        "checked_out",
        "badge",
        "created_at",
        "updated_at",
    ]
    actions = ["check_in", "check_out", "resend_invitation", "cancel_invitation"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invitation]:
        return invitation_queryset_restrict(user=request.user, queryset=super().get_queryset(request))

    def has_frontdesk_permission(self, request: HttpRequest) -> bool:
        return _frontdesk(request)

    def get_list_display(self, request: HttpRequest) -> list:
        if user_zone(request) is None:
            return [*self.list_display[:4], "location", *self.list_display[4:]]
        return self.list_display

    @admin.display(description="Guest", ordering="contact__last_name")
    def guest(self, obj: Invitation) -> str:
        return obj.contact.full_name or obj.contact.email

    @admin.display(description="Event", ordering="event__name")
    def event_name(self, obj: Invitation) -> str:
        return obj.event.name

    @admin.display(description="Company", ordering="contact__company_name")
    def company(self, obj: Invitation) -> str:
        return obj.contact.company_name or "—"

    @admin.display(description="Starts", ordering="event__starts_at")
    def starts(self, obj: Invitation) -> str:
        return local_time(obj.event.starts_at, obj.event.location.timezone)

    @admin.display(description="Location", ordering="event__location__name")
    def location(self, obj: Invitation) -> str:
        return obj.event.location.name

    @admin.display(description="Checked in", ordering="checked_in_at")
    def checked_in(self, obj: Invitation) -> str:
        return local_time(obj.checked_in_at, obj.event.location.timezone) if obj.checked_in_at else "—"

    @admin.display(description="Checked out", ordering="checked_out_at")
    def checked_out(self, obj: Invitation) -> str:
        return local_time(obj.checked_out_at, obj.event.location.timezone) if obj.checked_out_at else "—"

    @admin.display(description="Badge")
    def badge(self, obj: Invitation) -> str:
        if obj.status == Invitation.Status.CANCELLED:
            return "—"
        return format_html('<a href="{}">Print badge</a>', reverse("frontdesk:badge", args=[obj.pk]))

    @admin.display(description="Custom fields (event values with this guest's own on top)")
    def effective_custom_fields(self, obj: Invitation) -> str:
        return _custom_field_rows(invitation_effective_custom_fields(invitation=obj))

    def _each(self, request: HttpRequest, queryset: QuerySet[Invitation], act, done: str) -> None:
        actor = Actor.of_user(request.user, door=Door.ADMIN)
        changed, refusals = 0, []
        for invitation in queryset.select_related("contact", "event__integration"):
            try:
                if act(actor, invitation) is not False:
                    changed += 1
            except (CheckInRefused, InvitationActionRefused) as refused:
                refusals.append(f"{invitation.contact}: {refused.message}")
        if changed:
            self.message_user(request, done % {"count": changed}, messages.SUCCESS)
        for refusal in refusals:
            self.message_user(request, refusal, messages.ERROR)

    @admin.action(description="Check in the selected guests", permissions=["frontdesk"])
    def check_in(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        self._each(
            request,
            queryset,
            lambda actor, inv: invitation_check_in(actor=actor, invitation_id=inv.pk).changed,
            "Checked in %(count)s guest(s).",
        )

    @admin.action(description="Check out the selected guests", permissions=["frontdesk"])
    def check_out(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        self._each(
            request,
            queryset,
            lambda actor, inv: invitation_check_out(actor=actor, invitation_id=inv.pk).changed,
            "Checked out %(count)s guest(s).",
        )

    @admin.action(description="Resend the invitation to the selected guests", permissions=["frontdesk"])
    def resend_invitation(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        self._each(
            request,
            queryset,
            lambda actor, inv: invitation_resend(actor=actor, invitation_id=inv.pk),
            "Sent the invitation again to %(count)s guest(s).",
        )

    @admin.action(description="Cancel the invitation of the selected guests", permissions=["frontdesk"])
    def cancel_invitation(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        self._each(
            request,
            queryset,
            lambda actor, inv: invitation_cancel(actor=actor, invitation=inv),
            "Cancelled %(count)s invitation(s); the guests are told.",
        )


class AuditEventFilter(admin.SimpleListFilter):
    """By event: the events of the entries shown (most recent first), never another location's."""

    title = "event"
    parameter_name = "event__id__exact"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        visible = event_queryset_restrict(user=request.user).order_by("-updated_at")
        chosen = self.value()
        events = list(visible.values_list("pk", "name")[:15])
        if chosen and chosen.isdigit() and all(str(pk) != chosen for pk, _ in events):
            events = list(visible.filter(pk=int(chosen)).values_list("pk", "name")) + events
        return [(str(pk), name) for pk, name in events]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        value = self.value()
        return queryset.filter(event_id=int(value)) if value and value.isdigit() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(
    NotFoundOutsideScopeMixin, LocalDayChangelistMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    """Every change to a visit: who, through which door, what. Nobody adds, edits or deletes entries."""

    list_display = ["when", "actor", "door", "action", "event_link", "guest", "change_summary"]
    list_filter = [
        "door",
        "action",
        ("user", admin.RelatedOnlyFieldListFilter),
        AuditEventFilter,
        "created_at",
    ]
    list_select_related = ["event__location", "invitation__contact"]
    search_fields = ["actor", "event__name", "invitation__contact__last_name", "request_id"]
    date_hierarchy = "created_at"
    fields = ["when", "actor", "door", "request_id", "action", "event", "invitation", "change_details"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        return audit_entry_queryset_restrict(user=request.user, queryset=super().get_queryset(request))

    def get_list_filter(self, request: HttpRequest) -> list:
        if request.user.is_superuser:
            return [*self.list_filter, ("integration", admin.RelatedOnlyFieldListFilter)]
        return self.list_filter

    @admin.display(description="When", ordering="created_at")
    def when(self, obj: AuditEntry) -> str:
        return local_time(obj.created_at, obj.event.location.timezone)

    @admin.display(description="Event", ordering="event__name")
    def event_link(self, obj: AuditEntry) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:visits_event_change", args=[obj.event_id]), obj.event.name
        )

    @admin.display(description="Guest")
    def guest(self, obj: AuditEntry) -> str:
        return str(obj.invitation.contact) if obj.invitation_id else "—"

    @admin.display(description="Changes")
    def change_summary(self, obj: AuditEntry) -> str:
        return ", ".join(sorted(obj.changes)) or "—"

    @admin.display(description="Changes")
    def change_details(self, obj: AuditEntry) -> str:
        if not obj.changes:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            "{}: {} → {}",
            ((name, json.dumps(old), json.dumps(new)) for name, (old, new) in sorted(obj.changes.items())),
        )

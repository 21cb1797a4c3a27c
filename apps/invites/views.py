"""The invite portal's pages. Thin: forms parse, selectors read, services (the engine) write."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import LoginView
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.languages import language_from_django_code
from apps.directory.models import Employee
from apps.invites import selectors
from apps.invites.engine_io import ARRIVED, DesiredVisit, errors_attach, visit_input_build
from apps.invites.forms import GUEST_PREFIX, MAX_GUESTS, GuestFormSet, VisitForm
from apps.invites.paste import guests_parse
from apps.invites.services import visit_cancel as visit_cancel_service
from apps.invites.services import visit_sync
from apps.visits import services as visit_services
from apps.visits.access import Access
from apps.visits.actors import Actor, Door
from apps.visits.models import Event, Invitation, Language
from apps.visits.services import InvitationActionRefused, portal_event_source_id_new
from apps.visits.sync import EventSyncResult, SyncAction

PAGE_SIZE = 20
FRONT_DESK_PATH = "/admin/frontdesk/"
RECEPTION_GROUP = "Reception"
NEW_VISIT_SALT = "invites.new-visit"
# Who may name a colleague as the host of the visits they create.
CHOOSE_HOST_PERMISSION = "visits.add_event"


class PortalLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def home(request: HttpRequest) -> HttpResponse:
    """Everyone's own start page: employees My visits, reception the front desk, admins the admin."""
    user = request.user
    if not user.is_authenticated:
        return redirect("login")
    if user.is_superuser:
        return redirect("admin:index")
    if user.is_staff:
        if user.groups.filter(name=RECEPTION_GROUP).exists():
            return redirect(FRONT_DESK_PATH)
        return redirect("admin:index")
    return redirect("visit_list")


def employee_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in, and an active employee (whose visits these pages are); anyone else is told why."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        employee = selectors.employee_of(user=request.user)
        if employee is None:
            return render(request, "invites/not_an_employee.html", status=403)
        request.employee = employee
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@employee_required
def visit_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:200]
    visits = selectors.visit_list(user=request.user, search=search, now=timezone.now())
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "visits": page.object_list, "search": search}
    template = "invites/_visit_results.html" if request.htmx else "invites/visit_list.html"
    return render(request, template, context)


@require_GET
@employee_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.visit_get(user=request.user, pk=pk)
    guests = selectors.visit_guests(event=event)
    return render(
        request,
        "invites/visit_detail.html",
        {
            "event": event,
            "guests": guests,
            "can_change": _can_change(request.user, event),
            "custom_values": _custom_values_shown(event),
        },
    )


def _can_change(user: AbstractBaseUser, event: Event) -> bool:
    # The same rule as the CHANGE queryset (the one place that decides), for an event already read.
    return (
        event.integration_id is None
        and event.source_id is not None
        and selectors.event_changeable(user=user, pk=event.pk)
    )


def _custom_values_shown(event: Event) -> list[tuple[str, Any]]:
    fields = {str(f.pk): f for f in selectors.custom_fields_for(level="event")}
    shown = []
    for key, value in event.custom_fields.items():
        if key in fields:
            if isinstance(value, bool):
                value = _("Yes") if value else _("No")
            shown.append((fields[key].name, value))
    return shown


@require_http_methods(["GET", "POST"])
@employee_required
def visit_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        source_id = _new_visit_key_read(request.POST.get("key", ""))
        already = selectors.visit_by_portal_key(user=request.user, source_id=source_id)
        if already is not None:
            # The same form sent twice (a double click, a reload): the visit exists, nothing more to do.
            messages.info(request, _("This visit was already sent."))
            return redirect("visit_detail", pk=already.pk)
        return _visit_form_post(request, event=None, source_id=source_id)
    key = signing.dumps(portal_event_source_id_new(), salt=NEW_VISIT_SALT)
    language = _guest_language_default()
    return _visit_form_render(
        request,
        event=None,
        form=_visit_form(request, event=None, initial={"host": request.employee.pk}),
        formset=_guest_formset(None, initial=[{"language": language}]),
        key=key,
    )


def _new_visit_key_read(value: str) -> str:
    # Signed, so nobody can aim the form at an existing visit's key; a stale or forged one starts afresh.
    try:
        return signing.loads(value, salt=NEW_VISIT_SALT, max_age=7 * 24 * 3600)
    except signing.BadSignature:
        return portal_event_source_id_new()


def _portal_visit_to_change(request: HttpRequest, pk: int) -> Event:
    # Only a visit the portal keys (source_id) can be changed here; the engine finds it by that key.
    event = selectors.visit_get(user=request.user, pk=pk, access=Access.CHANGE)
    if event.source_id is None:
        raise PermissionDenied
    return event


@require_http_methods(["GET", "POST"])
@employee_required
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _portal_visit_to_change(request, pk)
    if event.status == Event.Status.CANCELLED:
        messages.info(request, _("This visit is cancelled and can no longer be changed."))
        return redirect("visit_detail", pk=event.pk)
    if request.method == "POST":
        return _visit_form_post(request, event=event, source_id=event.source_id)
    guests = [g for g in selectors.visit_guests(event=event) if g.status != Invitation.Status.CANCELLED]
    custom_fields = selectors.custom_fields_for(level="invitation")
    initial = [
        {
            "guest": g.pk,
            "first_name": g.contact.first_name,
            "last_name": g.contact.last_name,
            "email": g.contact.email,
            "company_name": g.contact.company_name,
            "language": g.language,
        }
        for g in guests
    ]
    customs = [
        {k: v for k, v in g.custom_fields.items() if k in {str(f.pk) for f in custom_fields}} for g in guests
    ]
    zone = event.starts_at.astimezone(_zone(event.location.timezone))
    end = event.ends_at.astimezone(_zone(event.location.timezone))
    return _visit_form_render(
        request,
        event=event,
        form=_visit_form(
            request,
            event=event,
            initial={
                "name": event.name,
                "location": event.location_id,
                "entrance": event.entrance_id,
                "date": zone.date(),
                "start_time": zone.time(),
                "end_time": end.time(),
                "description": event.description,
                "host": event.host_id,
            },
        ),
        formset=_guest_formset(None, initial=initial, custom_initials=customs),
        guests={g.pk: g for g in guests},
    )


def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def _guest_language_default() -> str:
    return language_from_django_code(code=get_language()) or Language.EN


def _visit_form(request: HttpRequest, *, event: Event | None, data: QueryDict | None = None, initial=None):
    locations = selectors.locations_for_visit(current=event.location_id if event else None)
    colleagues = selectors.colleagues_active() if request.user.has_perm(CHOOSE_HOST_PERMISSION) else None
    return VisitForm(
        data,
        initial=initial or {},
        locations=locations,
        entrances=selectors.entrances_of(location_ids=[loc.pk for loc in locations]),
        custom_fields=selectors.custom_fields_for(level="event"),
        colleagues=colleagues,
        custom_initial=event.custom_fields if event else {},
    )


def _guest_formset(data: QueryDict | None, *, initial=None, custom_initials=None) -> GuestFormSet:
    return GuestFormSet(
        data,
        prefix=GUEST_PREFIX,
        initial=initial,
        form_kwargs={
            "custom_fields": selectors.custom_fields_for(level="invitation"),
            "custom_initials": custom_initials or [],
        },
    )


def _rows_append(data: QueryDict, rows: list[dict[str, str]]) -> None:
    """Add guest rows to the submitted data, after the rows already there."""
    total_key = f"{GUEST_PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(total_key, "0"))
    except ValueError:
        total = 0
    for row in rows:
        if total >= MAX_GUESTS:
            break
        for name, value in row.items():
            data[f"{GUEST_PREFIX}-{total}-{name}"] = value
        total += 1
    data[total_key] = str(total)


def _visit_form_post(request: HttpRequest, *, event: Event | None, source_id: str) -> HttpResponse:
    action = request.POST.get("action", "send")
    data = request.POST.copy()
    language = _guest_language_default()
    pasted = guests_parse(text=data.get("paste", ""))
    new_rows = [
        {
            "first_name": g.first_name,
            "last_name": g.last_name,
            "email": g.email,
            "company_name": g.company_name,
            "language": g.language.upper() if g.language.upper() in Language.values else language,
        }
        for g in pasted.guests
    ]
    if action == "add_guest":
        new_rows.append({"language": language})
    _rows_append(data, new_rows)
    # What was read moves into rows; only the lines that could not be read stay in the box.
    lines = data.get("paste", "").splitlines()
    data["paste"] = "\n".join(lines[n - 1] for n in pasted.unreadable_lines)
    form = _visit_form(request, event=event, data=data)
    formset = _guest_formset(data)
    current = selectors.visit_guests(event=event) if event else []
    guests = {g.pk: g for g in current if g.status != Invitation.Status.CANCELLED}
    paste_error = (
        ngettext(
            "Line %(lines)s has neither a name nor an email address.",
            "Lines %(lines)s have neither a name nor an email address.",
            len(pasted.unreadable_lines),
        )
        % {"lines": ", ".join(map(str, pasted.unreadable_lines))}
        if pasted.unreadable_lines
        else ""
    )
    if action in ("add_guest", "paste") or paste_error:
        # Only the guest list grew: nothing is sent, and nothing is marked wrong yet.
        return _visit_form_render(
            request,
            event=event,
            form=form,
            formset=formset,
            guests=guests,
            quiet=not paste_error,
            paste_error=paste_error,
            focus_row=formset.total_form_count() - 1 if action == "add_guest" else None,
            key=request.POST.get("key", ""),
        )
    if form.is_valid() and formset.is_valid():
        host = _host(request, form, event)
        desired = visit_input_build(
            source_id=source_id,
            form=form,
            guest_forms=list(formset.forms),
            host=host,
            # The creator is whoever made the visit; an edit by its host does not change that.
            creator=request.employee if event is None else None,
            current_guests=current,
        )
        result = visit_sync(user=request.user, event=desired.event)
        if result.ok:
            _announce(request, result, desired)
            return redirect("visit_detail", pk=result.id)
        errors_attach(result=result, desired=desired, form=form, host=host)
    return _visit_form_render(
        request,
        event=event,
        form=form,
        formset=formset,
        guests=guests,
        key=request.POST.get("key", ""),
        status=400,
    )


def _host(request: HttpRequest, form: VisitForm, event: Event | None) -> Employee:
    chosen = form.cleaned_data.get("host")
    if chosen is not None and "host" in form.fields:
        return form.colleagues[chosen]
    # Without the choice a new visit is the employee's own, and an edited one keeps its host.
    return event.host if event is not None else request.employee


def _announce(request: HttpRequest, result: EventSyncResult, desired: DesiredVisit) -> None:
    if result.action == SyncAction.CREATED:
        count = len(desired.event.invitations)
        messages.success(
            request,
            ngettext(
                "Visit saved. %(count)s invitation is on its way.",
                "Visit saved. %(count)s invitations are on their way.",
                count,
            )
            % {"count": count},
        )
    elif result.action == SyncAction.UPDATED:
        messages.success(request, _("Changes saved. Guests are told what concerns them."))
    else:
        messages.info(request, _("Nothing changed."))


def _visit_form_render(
    request: HttpRequest,
    *,
    event: Event | None,
    form: VisitForm,
    formset: GuestFormSet,
    guests: dict[int, Invitation] | None = None,
    quiet: bool = False,
    paste_error: str = "",
    focus_row: int | None = None,
    key: str = "",
    status: int = 200,
) -> HttpResponse:
    if quiet:
        _silence(form)
        for row in formset.forms:
            _silence(row)
        formset._non_form_errors = form.error_class()
    guests = guests or {}
    if focus_row is not None:
        formset.forms[focus_row].fields["first_name"].widget.attrs["autofocus"] = True
    rows = []
    for index, row in enumerate(formset.forms):
        guest_id = row["guest"].value()
        invitation = guests.get(_int_or_none(guest_id))
        rows.append(
            {
                "form": row,
                "invitation": invitation,
                "arrived": bool(invitation and invitation.status in ARRIVED),
                "focus": index == focus_row,
            }
        )
    return render(
        request,
        "invites/visit_form.html",
        {
            "event": event,
            "form": form,
            "formset": formset,
            "rows": rows,
            "paste": (form.data.get("paste", "") if form.is_bound else ""),
            "paste_error": paste_error,
            "key": key,
            "zone": form.zones.get(_int_or_none(form["location"].value())),
            "refused": status == 400,
        },
        status=status,
    )


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _silence(form: Any) -> None:
    # A bound form shows what was typed; with an empty error dict it is not validated (or marked) yet.
    form._errors = ErrorDict()


@require_http_methods(["GET", "POST"])
@employee_required
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _portal_visit_to_change(request, pk)
    if event.status == Event.Status.CANCELLED:
        messages.info(request, _("This visit is already cancelled."))
        return redirect("visit_detail", pk=event.pk)
    invited = [g for g in selectors.visit_guests(event=event) if g.status == Invitation.Status.INVITED]
    if request.method == "POST":
        result = visit_cancel_service(user=request.user, event=event)
        if result.ok:
            messages.success(
                request,
                ngettext(
                    "Visit cancelled. %(count)s guest is told.",
                    "Visit cancelled. %(count)s guests are told.",
                    len(invited),
                )
                % {"count": len(invited)},
            )
        else:
            messages.error(request, _("The visit could not be cancelled."))
        return redirect("visit_detail", pk=event.pk)
    return render(request, "invites/visit_cancel.html", {"event": event, "invited": invited})


@require_POST
@employee_required
def invitation_resend(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    event = selectors.visit_get(user=request.user, pk=pk, access=Access.CHANGE)
    invitation = selectors.invitation_get(event=event, pk=invitation_pk)
    try:
        visit_services.invitation_resend(
            actor=Actor.of_user(request.user, door=Door.PORTAL), invitation_id=invitation.pk
        )
    except InvitationActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("The invitation was sent to %(guest)s again.") % {"guest": str(invitation.contact)},
        )
    return redirect(reverse("visit_detail", kwargs={"pk": event.pk}) + f"#guest-{invitation.pk}")

"""The front desk at /admin/frontdesk/: thin views over the selectors and the check-in services.

Every view runs inside the admin (its login, its look) and needs the front desk permission; what a desk
may show or change comes from apps.visits.access, so another location's guest is a 404.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from html import escape as e
from typing import Any

import segno
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.directory.models import Location
from apps.reception.forms import DeskFilterForm, ScanForm, WalkInForm
from apps.reception.selectors import (
    DeskStatus,
    frontdesk_counts_today,
    frontdesk_guests_today,
    frontdesk_on_site,
    location_host_queryset,
    location_today,
)
from apps.reception.services import walk_in_register
from apps.visits.access import (
    entrance_queryset_restrict,
    event_queryset_restrict,
    frontdesk_location_queryset,
    invitation_queryset_restrict,
)
from apps.visits.actors import Actor, Door
from apps.visits.checkins import (
    CheckInRefused,
    CheckInResult,
    invitation_check_in,
    invitation_check_in_by_code,
    invitation_check_out,
)
from apps.visits.models import Invitation

REFRESH_SECONDS = 20


def _desk_location(request: HttpRequest) -> tuple[Location, list[Location]]:
    """The location whose desk this is (`?location=`, else the user's first) and all the user's desks."""
    locations = list(frontdesk_location_queryset(user=request.user).order_by("name", "pk"))
    if not locations:
        raise PermissionDenied
    wanted = request.GET.get("location") or request.POST.get("location")
    if wanted:
        chosen = next((loc for loc in locations if str(loc.pk) == wanted), None)
        if chosen is None:
            raise Http404
        return chosen, locations
    return locations[0], locations


def _context(request: HttpRequest, location: Location, locations: list[Location], **extra: Any) -> dict:
    zone = zoneinfo.ZoneInfo(location.timezone)
    now = timezone.now().astimezone(zone)
    return {
        **admin.site.each_context(request),
        "location": location,
        "locations": locations,
        "location_query": urlencode({"location": location.pk}),
        "local_now": f"{date_format(now, 'l, j F Y')} · {date_format(now, 'H:i')} {now.tzname()}",
        "zone_name": now.tzname(),
        **extra,
    }


def local_time(value, zone: zoneinfo.ZoneInfo, *, with_zone: bool = True) -> str:
    if value is None:
        return ""
    local = value.astimezone(zone)
    return f"{local:%H:%M} {local.tzname()}" if with_zone else f"{local:%H:%M}"


# What a row shows, read as plain values: 500 rows of model instances cost more than the SQL does.
ROW_FIELDS = (
    "pk",
    "status",
    "checked_in_at",
    "checked_out_at",
    "contact__first_name",
    "contact__last_name",
    "contact__email",
    "contact__company_name",
    "event__name",
    "event__starts_at",
    "event__ends_at",
    "event__entrance__name",
    "event__host__first_name",
    "event__host__last_name",
    "event__host__email",
    "event__host__phone_number",
)


def _name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def _rows(guests: QuerySet[Invitation], location: Location) -> list[dict]:
    """Everything a row shows, worked out once here, with its table row as HTML.

    The row's markup is built here, every value escaped, because rendering 500 rows through the
    template engine (or format_html) alone took longer than the page's whole budget (bench_frontdesk).
    """
    zone = zoneinfo.ZoneInfo(location.timezone)
    today = location_today(location=location)
    desk_root = reverse("frontdesk:today")
    expected, check_in, check_out, badge = (e(_(t)) for t in ("Expected", "Check in", "Check out", "Badge"))
    rows = []
    for values in guests.values(*ROW_FIELDS):
        starts = values["event__starts_at"].astimezone(zone)
        ends = values["event__ends_at"].astimezone(zone)
        if starts.date() == ends.date() == today:
            when = f"{starts:%H:%M}–{ends:%H:%M}"  # noqa: RUF001 - a typographic range dash
        else:
            when = f"{starts:%d %b %H:%M} – {ends:%d %b %H:%M}"  # noqa: RUF001
        email = values["contact__email"]
        guest = _name(values["contact__first_name"], values["contact__last_name"]) or email
        host = (
            _name(values["event__host__first_name"], values["event__host__last_name"])
            or values["event__host__email"]
        )
        checked_in = local_time(values["checked_in_at"], zone, with_zone=False)
        checked_out = local_time(values["checked_out_at"], zone, with_zone=False)
        status = values["status"]
        base = f"{desk_root}invitations/{values['pk']}/"
        action = ""
        if status == Invitation.Status.INVITED:
            pill = f'<span class="pill expected">{expected}</span>'
            label = e(_("Check in %(guest)s") % {"guest": guest})
            action = (
                f'<button type="submit" class="button desk-in" formaction="{base}check-in/" '
                f'aria-label="{label}">{check_in}</button>'
            )
        elif status == Invitation.Status.CHECKED_IN:
            pill = (
                f'<span class="pill on-site">{e(_("On site since %(time)s") % {"time": checked_in})}</span>'
            )
            label = e(_("Check out %(guest)s") % {"guest": guest})
            action = (
                f'<button type="submit" class="button desk-out" formaction="{base}check-out/" '
                f'aria-label="{label}">{check_out}</button> '
                f'<a href="{base}badge/" class="desk-badge">{badge}</a>'
            )
        else:
            pill = f'<span class="pill left">{e(_("Left at %(time)s") % {"time": checked_out})}</span>'
        row = {
            "invitation_id": values["pk"],
            "when": when,
            "guest": guest,
            "email": email if email != guest else "",
            "company": values["contact__company_name"],
            "host": host,
            "host_phone": values["event__host__phone_number"],
            "event": values["event__name"],
            "entrance": values["event__entrance__name"] or "",
            "status": status.lower(),
            "checked_in": checked_in,
            "checked_out": checked_out,
        }
        email_line = f"<br><small>{e(row['email'])}</small>" if row["email"] else ""
        # Every value from the database goes through e() (html.escape); the rest is our own markup.
        row["html"] = mark_safe(
            f'<tr class="status-{row["status"]}"><td class="time">{e(when)}</td>'
            f"<td><strong>{e(guest)}</strong>{email_line}</td><td>{e(row['company'] or '—')}</td>"
            f"<td>{e(host)}<br><small>{e(row['event'])}</small></td><td>{e(row['entrance'] or '—')}</td>"
            f'<td>{pill}</td><td class="act">{action}</td></tr>'
        )
        rows.append(row)
    return rows


def today_view(request: HttpRequest) -> HttpResponse:
    location, locations = _desk_location(request)
    entrances = entrance_queryset_restrict(user=request.user).filter(location=location)
    form = DeskFilterForm(request.GET or None, entrances=entrances)
    filters: dict[str, Any] = {}
    if form.is_valid():
        entrance = form.cleaned_data["entrance"]
        filters = {
            "entrance_id": entrance.pk if entrance else None,
            "status": DeskStatus(form.cleaned_data["status"]) if form.cleaned_data["status"] else None,
            "search": form.cleaned_data["q"],
        }
    day = location_today(location=location)
    guests = frontdesk_guests_today(user=request.user, location=location, day=day, **filters)
    context = _context(
        request,
        location,
        locations,
        title=_("Today at %(location)s") % {"location": location.name},
        form=form,
        rows=_rows(guests, location),
        counts=frontdesk_counts_today(user=request.user, location=location, day=day),
        filtered=any(filters.values()),
        refresh_seconds=REFRESH_SECONDS,
        here=request.get_full_path(),
    )
    template = "admin/frontdesk/today.html"
    if request.headers.get("HX-Request") == "true":
        template = "admin/frontdesk/_today_list.html"
    return TemplateResponse(request, template, context)


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


def _guest_label(invitation: Invitation) -> str:
    contact = invitation.contact
    name = contact.full_name or contact.email
    return f"{name} ({contact.company_name})" if contact.company_name else name


def _arrival_message(request: HttpRequest, result: CheckInResult, location: Location) -> None:
    invitation = result.invitation
    badge = reverse("frontdesk:badge", args=[invitation.pk])
    host = invitation.event.host
    if result.changed:
        messages.success(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("Checked in: %(guest)s. %(host)s has been told.")
                % {"guest": _guest_label(invitation), "host": host.full_name or host.email},
                badge,
                _("Print badge"),
            ),
        )
    else:
        since = local_time(invitation.checked_in_at, zoneinfo.ZoneInfo(location.timezone))
        messages.warning(
            request,
            _("%(guest)s is already on site (since %(since)s). Nothing changed.")
            % {"guest": _guest_label(invitation), "since": since},
        )


def _visible_invitation(request: HttpRequest, pk: int) -> Invitation:
    if not frontdesk_location_queryset(user=request.user).exists():
        raise PermissionDenied
    visible = invitation_queryset_restrict(user=request.user).select_related("event__location", "contact")
    return get_object_or_404(visible, pk=pk)


def _door_move(
    request: HttpRequest, invitation: Invitation, move: Callable[..., CheckInResult]
) -> CheckInResult | None:
    """Check the guest in or out at their location's desk; a refusal becomes a message and None."""
    try:
        return move(
            actor=Actor.of_user(request.user, door=Door.ADMIN),
            invitation_id=invitation.pk,
            location_id=invitation.event.location_id,
        )
    except CheckInRefused as refused:
        messages.error(request, f"{_guest_label(invitation)}: {refused.message}")
        return None


def _back_to_desk(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    fallback = f"{reverse('frontdesk:today')}?{urlencode({'location': invitation.event.location_id})}"
    return HttpResponseRedirect(_next_url(request, fallback))


@require_POST
def check_in_view(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _visible_invitation(request, pk)
    result = _door_move(request, invitation, invitation_check_in)
    if result is not None:
        _arrival_message(request, result, invitation.event.location)
    return _back_to_desk(request, invitation)


@require_POST
def check_out_view(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _visible_invitation(request, pk)
    result = _door_move(request, invitation, invitation_check_out)
    guest = {"guest": _guest_label(invitation)}
    if result is not None and result.changed:
        messages.success(request, _("Checked out: %(guest)s.") % guest)
    elif result is not None:
        messages.warning(request, _("%(guest)s had already left.") % guest)
    return _back_to_desk(request, invitation)


def scan_view(request: HttpRequest) -> HttpResponse:
    location, locations = _desk_location(request)
    form = ScanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = invitation_check_in_by_code(
                actor=Actor.of_user(request.user, door=Door.ADMIN),
                code=form.cleaned_data["code"],
                location_id=location.pk,
            )
        except CheckInRefused as refused:
            messages.error(request, str(refused.message))
        else:
            _arrival_message(request, result, location)
        # A fresh, empty and focused field for the next guest.
        return redirect(f"{reverse('frontdesk:scan')}?{urlencode({'location': location.pk})}")
    context = _context(request, location, locations, title=_("Scan a QR code"), form=form)
    return TemplateResponse(request, "admin/frontdesk/scan.html", context)


def walk_in_view(request: HttpRequest) -> HttpResponse:
    location, locations = _desk_location(request)
    form = WalkInForm(
        request.POST or None,
        hosts=location_host_queryset(location=location),
        entrances=entrance_queryset_restrict(user=request.user).filter(location=location),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = walk_in_register(
            actor=Actor.of_user(request.user, door=Door.ADMIN),
            location=location,
            host_email=data["host"].email,
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            company_name=data["company_name"],
            entrance_id=data["entrance"].pk if data["entrance"] else None,
        )
        if result.invitation is not None:
            _arrival_message(request, CheckInResult(invitation=result.invitation, changed=True), location)
            return redirect(f"{reverse('frontdesk:today')}?{urlencode({'location': location.pk})}")
        form.add_engine_errors(result.errors)
    context = _context(request, location, locations, title=_("Register a walk-in guest"), form=form)
    return TemplateResponse(request, "admin/frontdesk/walk_in.html", context)


def on_site_view(request: HttpRequest) -> HttpResponse:
    location, locations = _desk_location(request)
    rows = _rows(frontdesk_on_site(user=request.user, location=location), location)
    context = _context(
        request,
        location,
        locations,
        title=_("On site now at %(location)s") % {"location": location.name},
        rows=rows,
        here=request.get_full_path(),
    )
    return TemplateResponse(request, "admin/frontdesk/on_site.html", context)


def _badge(invitation: Invitation) -> dict:
    event = invitation.event
    zone = zoneinfo.ZoneInfo(event.location.timezone)
    contact = invitation.contact
    host = event.host
    return {
        "name": contact.full_name or contact.email,
        "company": contact.company_name,
        "host": host.full_name or host.email,
        "date": date_format(event.starts_at.astimezone(zone), "j F Y"),
        "location": event.location.name,
        "entrance": event.entrance.name if event.entrance_id else "",
        # The same code as in the guest's email: scanning the badge at the door finds the invitation.
        "qr": segno.make(invitation.token, error="m", micro=False).svg_inline(scale=3, border=2),
    }


def badge_view(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _visible_invitation(request, pk)
    if invitation.status == Invitation.Status.CANCELLED:
        raise Http404
    invitation = Invitation.objects.select_related(
        "contact", "event__location", "event__host", "event__entrance"
    ).get(pk=invitation.pk)
    context = {"title": _("Badge"), "badges": [_badge(invitation)], "back": request.GET.get("back", "")}
    return TemplateResponse(request, "admin/frontdesk/badges.html", context)


def badge_sheet_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not frontdesk_location_queryset(user=request.user).exists():
        raise PermissionDenied
    event = get_object_or_404(event_queryset_restrict(user=request.user), pk=pk)
    guests = (
        Invitation.objects.filter(event=event)
        .exclude(status=Invitation.Status.CANCELLED)
        .select_related("contact", "event__location", "event__host", "event__entrance")
        .order_by("contact__last_name", "contact__first_name", "pk")
    )
    context = {"title": _("Badges: %(event)s") % {"event": event.name}, "badges": [_badge(i) for i in guests]}
    return TemplateResponse(request, "admin/frontdesk/badges.html", context)


def admin_home_view(request: HttpRequest) -> HttpResponse:
    """/admin/: reception lands at the front desk; anyone who configures something gets the index."""
    user = request.user
    if user.is_active and user.is_staff and not user.is_superuser:
        only_desk = not user.has_perm("directory.change_location")
        if only_desk and frontdesk_location_queryset(user=user).exists():
            return redirect("frontdesk:today")
    return admin.site.index(request)

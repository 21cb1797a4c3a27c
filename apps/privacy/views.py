"""The admin's Privacy requests page (/admin/privacy/): thin views over the privacy services.

Export and erasure each need their permission (superusers hold both); a staff user with neither gets
403, and the admin's login stands in front of everything, as everywhere in the admin.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.privacy.documents import export_json
from apps.privacy.forms import AddressForm
from apps.privacy.selectors import guest_erasure_preview
from apps.privacy.services import guest_erase, guest_export
from apps.visits.actors import Actor, Door

EXPORT_PERMISSION = "privacy.export_guest_data"
ERASE_PERMISSION = "privacy.erase_guest_data"


def _page(request: HttpRequest, form: AddressForm, status: int = 200) -> TemplateResponse:
    context = {
        **admin.site.each_context(request),
        "title": _("Privacy requests"),
        "form": form,
        "may_export": request.user.has_perm(EXPORT_PERMISSION),
        "may_erase": request.user.has_perm(ERASE_PERMISSION),
    }
    return TemplateResponse(request, "admin/privacy/index.html", context, status=status)


@require_http_methods(["GET", "POST"])
def privacy_view(request: HttpRequest) -> HttpResponse:
    if not (request.user.has_perm(EXPORT_PERMISSION) or request.user.has_perm(ERASE_PERMISSION)):
        raise PermissionDenied
    if request.method == "GET":
        return _page(request, AddressForm())
    action = request.POST.get("action", "")
    needed = EXPORT_PERMISSION if action == "export" else ERASE_PERMISSION
    if action not in ("export", "erase", "erase_confirmed") or not request.user.has_perm(needed):
        raise PermissionDenied
    form = AddressForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    address = form.cleaned_data["email"]
    actor = Actor.of_user(request.user, door=Door.ADMIN)
    if action == "export":
        document = guest_export(actor=actor, address=address)
        response = HttpResponse(export_json(document), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="guest-data.json"'
        return response
    if action == "erase":
        context = {
            **admin.site.each_context(request),
            "title": _("Erase guest data"),
            "form": form,
            "preview": guest_erasure_preview(address=address),
        }
        return TemplateResponse(request, "admin/privacy/erase_confirm.html", context)
    report = guest_erase(actor=actor, address=address)
    messages.success(
        request,
        _(
            # Not the address: messages can outlive the request in the session store.
            "Erased: %(invitations)s invitation(s) anonymised, %(contacts)s contact(s) deleted, "
            "%(cancelled)s upcoming visit(s) cancelled."
        )
        % report.as_json(),
    )
    return redirect("privacy:index")

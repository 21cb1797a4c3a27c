from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from apps.core.text import email_normalize
from apps.directory.models import AccessPartition, AccessProfile, CustomField, Employee, Entrance, Location
from apps.reception.services import location_hosts_problem, location_hosts_set
from apps.visits.access import (
    NotFoundOutsideScopeMixin,
    entrance_queryset_restrict,
    location_queryset_restrict,
)


class EntranceInline(admin.TabularInline):
    model = Entrance
    extra = 0
    fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entrance]:
        return entrance_queryset_restrict(user=request.user, queryset=super().get_queryset(request))


class LocationAdminForm(forms.ModelForm):
    hosts = forms.ModelMultipleChoiceField(
        queryset=Employee.objects.filter(is_active=True),
        required=False,
        widget=FilteredSelectMultiple("hosts", is_stacked=False),
        help_text="Employees named as hosts here. Employees with no location at all may host anywhere and "
        "are not listed.",
    )

    class Meta:
        model = Location
        fields = ["name", "address", "timezone", "is_active", "retention_days", "staff"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["hosts"].initial = list(self.instance.hosts.values_list("pk", flat=True))

    def clean_hosts(self) -> Any:
        hosts = self.cleaned_data["hosts"]
        if self.instance.pk:
            problem = location_hosts_problem(location=self.instance, employees=list(hosts))
            if problem:
                raise forms.ValidationError(problem)
        return hosts


@admin.register(Location)
class LocationAdmin(NotFoundOutsideScopeMixin, admin.ModelAdmin):
    """Super admins see every location; location admins and reception only those they work at."""

    form = LocationAdminForm
    list_display = ["name", "timezone", "entrance_count", "staff_count", "is_active", "updated_at"]
    list_filter = ["is_active", "timezone"]
    search_fields = ["name", "address"]
    fields = ["name", "address", "timezone", "is_active", "retention_days", "staff", "hosts"]
    filter_horizontal = ["staff"]
    inlines = [EntranceInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Location | None = None) -> list[str]:
        # How long guest data is kept is the organisation's decision: super admins only (apps/privacy).
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else [*readonly, "retention_days"]

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if "hosts" in form.cleaned_data:
            location_hosts_set(location=form.instance, employees=list(form.cleaned_data["hosts"]))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Location]:
        visible = location_queryset_restrict(user=request.user).filter(
            pk__in=super().get_queryset(request).values("pk")
        )
        # One aggregate each in the changelist query instead of a COUNT per row.
        return visible.annotate(
            entrance_total=Count("entrances", distinct=True), staff_total=Count("staff", distinct=True)
        )

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs: Any):
        if db_field.name == "staff":
            # Only staff accounts work at a desk; super admins need no location to see everything.
            kwargs["queryset"] = get_user_model().objects.filter(
                is_staff=True, is_superuser=False, is_active=True
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="Entrances", ordering="entrance_total")
    def entrance_count(self, obj: Location) -> int:
        return obj.entrance_total

    @admin.display(description="Staff", ordering="staff_total")
    def staff_count(self, obj: Location) -> int:
        return obj.staff_total


EMPLOYEE_FIELDS = [
    "email",
    "first_name",
    "last_name",
    "phone_number",
    "is_active",
    "user",
    "hosting_locations",
]


class EmployeeAdminForm(forms.ModelForm):
    class Meta:
        model = Employee
        fields = EMPLOYEE_FIELDS

    def clean_email(self) -> str:
        # The database only accepts lower-case emails (the engine upserts on the plain unique index), and
        # lower-casing here, before validation, lets the unique check catch a case-only duplicate.
        return email_normalize(self.cleaned_data["email"])


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    form = EmployeeAdminForm
    list_display = ["email", "full_name", "phone_number", "hosts_at", "user", "is_active"]
    list_filter = ["is_active", "hosting_locations"]
    search_fields = ["email", "first_name", "last_name", "phone_number"]
    list_select_related = ["user"]
    filter_horizontal = ["hosting_locations"]
    autocomplete_fields = ["user"]
    fields = EMPLOYEE_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Employee]:
        return super().get_queryset(request).prefetch_related("hosting_locations")

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj: Employee) -> str:
        return obj.full_name

    @admin.display(description="May host at")
    def hosts_at(self, obj: Employee) -> str:
        # Reads the prefetched set: `.all()` without further filtering keeps the changelist at one query.
        names = [location.name for location in obj.hosting_locations.all()]
        return ", ".join(names) if names else "Anywhere"


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = ["name", "id", "field_type", "scope", "options", "is_active"]
    list_filter = ["field_type", "scope", "is_active"]
    search_fields = ["name"]


class AccessProfileInline(admin.TabularInline):
    model = AccessProfile
    extra = 0
    fields = ["source_id", "name"]


@admin.register(AccessPartition)
class AccessPartitionAdmin(admin.ModelAdmin):
    list_display = ["name", "id", "profile_count", "updated_at"]
    search_fields = ["name", "profiles__source_id", "profiles__name"]
    inlines = [AccessProfileInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccessPartition]:
        return super().get_queryset(request).annotate(profile_total=Count("profiles"))

    @admin.display(description="Profiles", ordering="profile_total")
    def profile_count(self, obj: AccessPartition) -> int:
        return obj.profile_total

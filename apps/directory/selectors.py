from django.db.models import QuerySet

from apps.directory.models import AccessPartition, CustomField, Location


def location_list_active() -> QuerySet[Location]:
    """The locations events may take place at, with their entrances."""
    return Location.objects.filter(is_active=True).prefetch_related("entrances")


def custom_field_list_active() -> QuerySet[CustomField]:
    """The custom fields an integration may set (an inactive one is refused by the engine anyway)."""
    return CustomField.objects.filter(is_active=True)


def access_partition_list() -> QuerySet[AccessPartition]:
    """The access partitions with the profiles the portal knows in each."""
    return AccessPartition.objects.prefetch_related("profiles")

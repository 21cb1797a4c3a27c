import datetime as dt

import factory
from django.utils import timezone

from apps.directory.models import AccessPartition, AccessProfile, CustomField, Employee, Entrance, Location
from apps.integrations.models import Integration
from apps.integrations.services import integration_create
from apps.notifications.models import OutboxMessage
from apps.visits.actors import Actor
from apps.visits.models import Contact, Event, Invitation


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Office {n}")
    address = factory.Sequence(lambda n: f"Main Street {n}, Berlin")
    timezone = "Europe/Berlin"


class EntranceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entrance

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Entrance {n}")


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    email = factory.Sequence(lambda n: f"host{n}@example.com")
    first_name = "Ada"
    last_name = factory.Sequence(lambda n: f"Host{n}")


class CustomFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomField

    name = factory.Sequence(lambda n: f"Field {n}")
    field_type = CustomField.FieldType.TEXT
    scope = CustomField.Scope.BOTH


class AccessPartitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessPartition

    name = factory.Sequence(lambda n: f"Partition {n}")


class AccessProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessProfile

    partition = factory.SubFactory(AccessPartitionFactory)
    source_id = factory.Sequence(lambda n: f"profile-{n}")
    name = factory.Sequence(lambda n: f"Profile {n}")


class IntegrationFactory(factory.Factory):
    """Issues a real token; the plain token is on `integration.plain_token` for tests to send."""

    class Meta:
        model = Integration

    name = factory.Sequence(lambda n: f"Calendar {n}")

    @classmethod
    def _create(cls, model_class, name: str, **kwargs):
        issued = integration_create(name=name)
        issued.integration.plain_token = issued.token
        if kwargs:
            Integration.objects.filter(pk=issued.integration.pk).update(**kwargs)
            issued.integration.refresh_from_db()
            issued.integration.plain_token = issued.token
        return issued.integration

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("IntegrationFactory only creates saved integrations.")


def _in_days(days: int, hour: int = 9) -> dt.datetime:
    base = timezone.now().astimezone(dt.UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return base + dt.timedelta(days=days)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    integration = None
    source_id = None
    name = factory.Sequence(lambda n: f"Meeting {n}")
    starts_at = factory.LazyFunction(lambda: _in_days(7, 9))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    location = factory.SubFactory(LocationFactory)
    host = factory.SubFactory(EmployeeFactory)
    # Set exactly while CANCELLED (a database constraint); pass cancelled_at= for an exact time.
    cancelled_at = factory.LazyAttribute(
        lambda o: timezone.now() if getattr(o, "status", None) == "CANCELLED" else None
    )


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    integration = None
    source_id = None
    email = factory.Sequence(lambda n: f"guest{n}@example.org")
    first_name = "Grace"
    last_name = factory.Sequence(lambda n: f"Guest{n}")
    company_name = "Acme"


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    event = factory.SubFactory(EventFactory)
    contact = factory.SubFactory(ContactFactory)
    # Set exactly while CANCELLED (a database constraint); pass cancelled_at= for an exact time.
    cancelled_at = factory.LazyAttribute(
        lambda o: timezone.now() if getattr(o, "status", None) == "CANCELLED" else None
    )


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    kind = OutboxMessage.Kind.INVITATION
    invitation = factory.SubFactory(InvitationFactory)
    event = factory.LazyAttribute(lambda o: o.invitation.event)
    payload = factory.LazyAttribute(lambda o: {"sequence": o.invitation.sequence})


def acting(integration: Integration | None) -> Actor:
    """The actor behind an engine call in tests: the integration itself, or the system for portal events."""
    return Actor.of_integration(integration) if integration is not None else Actor.of_system("tests")

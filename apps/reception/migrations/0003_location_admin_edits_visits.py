"""Location admins create and edit the portal's own visits at their locations (through the engine)."""

from django.db import migrations

ADDED = [("visits", "add_event"), ("visits", "change_event")]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.get(name="Location admin")
    group.permissions.add(
        *[Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in ADDED]
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.get(name="Location admin")
    group.permissions.remove(
        *[Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in ADDED]
    )


class Migration(migrations.Migration):

    dependencies = [("reception", "0002_staff_groups")]

    operations = [migrations.RunPython(grant, revoke)]

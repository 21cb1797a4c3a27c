"""The Super admin role: a group holding the two privacy permissions (superusers hold them anyway)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPER_ADMIN = "Super admin"
# Frozen here: a later change to the role gets a migration of its own.
PERMISSIONS = [("privacy", "export_guest_data"), ("privacy", "erase_guest_data")]


def role_grant(apps, schema_editor):
    # Permissions are normally made after the whole migrate run; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=SUPER_ADMIN)
    group.permissions.add(
        *[
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in PERMISSIONS
        ]
    )


def role_revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=SUPER_ADMIN).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="privacy", codename__in=[c for _, c in PERMISSIONS]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(role_grant, role_revoke)]

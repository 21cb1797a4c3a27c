"""The Reception and Location admin groups, with exactly the permissions apps/reception/roles.py lists."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here: a later change to the roles gets a migration of its own.
RECEPTION = [
    ("reception", "use_frontdesk"),
    ("visits", "view_event"),
    ("visits", "view_invitation"),
    ("visits", "view_contact"),
    ("visits", "view_auditentry"),
    ("directory", "view_location"),
    ("directory", "view_entrance"),
]
LOCATION_ADMIN = [
    *RECEPTION,
    ("directory", "change_location"),
    ("directory", "add_entrance"),
    ("directory", "change_entrance"),
    ("directory", "delete_entrance"),
]
ROLES = {"Reception": RECEPTION, "Location admin": LOCATION_ADMIN}


def groups_create(apps, schema_editor):
    # Permissions are normally made after the whole migrate run; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in wanted
        ]
        group.permissions.set(permissions)


class Migration(migrations.Migration):

    dependencies = [
        ("reception", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("directory", "0002_location_staff"),
        ("visits", "0004_audit_trail_portal_source_ids"),
    ]

    operations = [migrations.RunPython(groups_create, migrations.RunPython.noop)]

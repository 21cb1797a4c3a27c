"""The staff roles and exactly the permissions each needs; the groups are made by a data migration."""

RECEPTION = "Reception"
LOCATION_ADMIN = "Location admin"

# (app label, codename). Visits are only ever viewed in the admin: the engine and the front desk's
# services change them, behind the front desk permission.
RECEPTION_PERMISSIONS = [
    ("reception", "use_frontdesk"),
    ("visits", "view_event"),
    ("visits", "view_invitation"),
    ("visits", "view_contact"),
    ("visits", "view_auditentry"),
    ("directory", "view_location"),
    ("directory", "view_entrance"),
]
# Plus the configuration of their own locations (the location itself, who works there, its entrances)
# and portal-made visits there, created and edited through the engine (never deleted).
LOCATION_ADMIN_PERMISSIONS = [
    *RECEPTION_PERMISSIONS,
    ("directory", "change_location"),
    ("directory", "add_entrance"),
    ("directory", "change_entrance"),
    ("directory", "delete_entrance"),
    ("visits", "add_event"),
    ("visits", "change_event"),
]

ROLES = {RECEPTION: RECEPTION_PERMISSIONS, LOCATION_ADMIN: LOCATION_ADMIN_PERMISSIONS}

from django.db import models


class FrontDesk(models.Model):
    """No table: the anchor of the front desk's permission, which groups are given like any other."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            (
                "use_frontdesk",
                "Can use the front desk: check guests in and out, register walk-ins, print badges, "
                "resend and cancel invitations",
            )
        ]

    def __str__(self) -> str:
        return "Front desk"

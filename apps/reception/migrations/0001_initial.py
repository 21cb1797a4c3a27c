from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="FrontDesk",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ],
            options={
                "managed": False,
                "default_permissions": (),
                "permissions": [
                    (
                        "use_frontdesk",
                        "Can use the front desk: check guests in and out, register walk-ins, print badges, "
                        "resend and cancel invitations",
                    )
                ],
            },
        ),
    ]

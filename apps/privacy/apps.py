from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "apps.privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from apps.privacy import lookups  # noqa: F401 - registers field__any_of

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"

    def ready(self):
        from . import notify, policy  # noqa: F401  (connect their signal receivers)

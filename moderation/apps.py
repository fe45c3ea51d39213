from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"

    def ready(self):
        from . import policy  # noqa: F401  (connects the signal receivers)

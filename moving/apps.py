from django.apps import AppConfig


class MovingConfig(AppConfig):
    """Moving a blog in (from Blogger, WordPress) and out (a fixture): it knows posts and
    comments, and nothing knows it."""

    name = "moving"

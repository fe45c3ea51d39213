"""Refuse to serve production traffic with settings that are unsafe to serve it with."""

import sys

from django.conf import settings


def problems():
    """What an operator must set before the server may start with DEBUG off (empty: all well)."""
    if settings.DEBUG:
        return []
    found = []
    key = settings.SECRET_KEY
    # Django's own test of a weak key (security.W009): a default, short, or repetitive one.
    if key.startswith("django-insecure") or len(key) < 50 or len(set(key)) < 5:
        found.append(
            "SECRET_KEY: set a random value of 50 characters or more, e.g. "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))"`'
        )
    if not settings.ALLOWED_HOSTS:
        found.append("ALLOWED_HOSTS: set the host names the blog answers to, comma-separated")
    return found


def refuse_unsafe_start():
    """Exit with one clear line per problem, instead of serving with unsafe settings."""
    found = problems()
    if found:
        for problem in found:
            print(f"Refusing to start with DEBUG off: {problem}.", file=sys.stderr)
        sys.exit(1)

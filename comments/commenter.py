"""The reader's own details, kept in their browser when they ask for it (an opt-in cookie)."""

import json

from django.conf import settings
from django.core import signing

COOKIE = "commenter"
_SALT = "comments.commenter"
_FIELDS = ("author_name", "author_email", "author_url")


def remember(response, comment):
    """Keep the comment's name, email and website in a signed cookie for a year."""
    response.set_signed_cookie(
        COOKIE,
        json.dumps({field: getattr(comment, field) for field in _FIELDS}),
        salt=_SALT,
        max_age=365 * 24 * 60 * 60,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def forget(response):
    response.delete_cookie(COOKIE, samesite="Lax")


def initial(request):
    """The form's starting values from the cookie; {} when it is absent or was tampered with."""
    try:
        details = json.loads(request.get_signed_cookie(COOKIE, salt=_SALT))
    except (KeyError, ValueError, signing.BadSignature):  # absent, or altered: start blank
        return {}
    return {field: str(details.get(field, "")) for field in _FIELDS} | {"remember": True}

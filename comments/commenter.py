"""The reader's own details, kept in their browser when they ask for it (an opt-in cookie)."""

import json

from django.conf import settings
from django.core import signing

COOKIE = "commenter"
_SALT = "comments.commenter"
_FIELDS = ("author_name", "author_email", "author_url")


def remember(response, comment):
    """Keep the comment's name, email and website in a signed cookie for a year."""
    details = {field: getattr(comment, field) for field in _FIELDS}
    # The comment it was set with: once the owner approves that one, this browser is trusted.
    details["comment"] = comment.pk
    response.set_signed_cookie(
        COOKIE,
        json.dumps(details),
        salt=_SALT,
        max_age=365 * 24 * 60 * 60,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def forget(response):
    response.delete_cookie(COOKIE, samesite="Lax")


def _details(request):
    try:
        details = json.loads(request.get_signed_cookie(COOKIE, salt=_SALT))
    except (KeyError, ValueError, signing.BadSignature):  # absent, or altered: start blank
        return None
    return details if isinstance(details, dict) else None


def vouched_for(request):
    """The pk of the comment this browser's cookie was set with, or None."""
    pk = (_details(request) or {}).get("comment")
    return pk if isinstance(pk, int) else None


def initial(request):
    """The form's starting values from the cookie; {} when it is absent or was tampered with."""
    details = _details(request)
    if details is None:
        return {}
    return {field: str(details.get(field, "")) for field in _FIELDS} | {"remember": True}

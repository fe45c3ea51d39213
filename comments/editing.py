"""Which comments this browser may still edit: a signed cookie listing the ones it sent.

No account is needed: the cookie is the proof, and it lasts as long as the edit window.
"""

from django.conf import settings
from django.core import signing
from django.utils import timezone

COOKIE = "edits"
_SALT = "comments.edits"


def sent_here(request):
    """The pks of the comments this browser sent within the edit window ({} if none, or forged)."""
    try:
        value = request.get_signed_cookie(
            COOKIE, salt=_SALT, max_age=settings.COMMENTS_EDIT_MINUTES * 60
        )
    except (KeyError, signing.BadSignature):
        return set()
    # isascii() too: isdigit() takes "²", which int() refuses.
    return {int(pk) for pk in value.split(",") if pk.isascii() and pk.isdigit()}


def allow(request, response, comment):
    """Let this browser edit `comment` for the edit window (and the others it still may)."""
    if not settings.COMMENTS_EDIT_MINUTES:
        return
    pks = sorted(sent_here(request) | {comment.pk})[-20:]  # a handful is all anyone needs
    response.set_signed_cookie(
        COOKIE,
        ",".join(map(str, pks)),
        salt=_SALT,
        max_age=settings.COMMENTS_EDIT_MINUTES * 60,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def may_edit(request, comment):
    """Whether this browser sent `comment` and its edit window is still open."""
    return comment.pk in sent_here(request) and still_editable(comment)


def still_editable(comment):
    return (
        comment.status in (comment.Status.PUBLISHED, comment.Status.PENDING)
        and timezone.now() < comment.editable_until()
    )

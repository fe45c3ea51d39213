"""Email to commenters who asked for it: a reply to their comment, once the reply is published."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

_SALT = "comments.unsubscribe"


def unsubscribe_url(comment):
    """A link that stops the emails about replies to `comment`, with no login (signed)."""
    token = signing.dumps(comment.pk, salt=_SALT)
    return settings.SITE_URL + reverse("comments:unsubscribe", args=[token])


def comment_pk_from(token):
    """The comment a link from unsubscribe_url() is about, or None for a forged one."""
    try:
        return signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None


def announce_replies(pks):
    """Once the transaction commits, tell each parent's author of these replies, once each."""
    transaction.on_commit(lambda: _announce(pks))


def _announce(pks):
    from .models import Comment

    replies = (
        Comment.objects.published()
        .filter(pk__in=pks, reply_announced=False, parent__notify=True)
        .exclude(parent__author_email="")
        .select_related("parent", "post")
    )
    for reply in replies:
        parent = reply.parent
        if parent.author_email.lower() == reply.author_email.lower():
            continue  # nobody needs telling of their own reply
        # Claim it first: of two servers publishing at once, only one sends.
        if not Comment.objects.filter(pk=reply.pk, reply_announced=False).update(
            reply_announced=True
        ):
            continue
        _send(reply, parent)


def _send(reply, parent):
    stop = unsubscribe_url(parent)
    link = settings.SITE_URL + reply.get_absolute_url()
    body = (
        f"{reply.author} replied to your comment on “{reply.post.title}”:\n\n"
        f"{reply.body}\n\n"
        f"Read it on the blog: {link}\n\n"
        f"You get this because you asked to hear of replies to your comment. "
        f"To stop, open: {stop}\n"
    )
    EmailMessage(
        subject=f"{reply.author} replied to your comment on “{reply.post.title}”",
        body=body,
        to=[parent.author_email],
        headers={
            "List-Unsubscribe": f"<{stop}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send()

"""Email to commenters who asked for it, built so that it cannot be turned against anyone.

- An address gets one confirmation request, ever, and nothing else until it is confirmed: a
  stranger typing someone's address into the form cannot make the blog mail them again.
- A reply is announced only once published, only once, and to a confirmed address.
- At most one email per thread (a post's comments) per address per hour; replies in between
  are not announced (the email links to the thread, where they are).
- Every email carries one-click links to mute the thread and to mute all mail.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

RATE = timedelta(hours=1)
_UNSUBSCRIBE = "comments.unsubscribe"
_CONFIRM = "comments.confirm"
_MUTE = "comments.mute"


def unsubscribe_url(comment):
    """A link that stops the emails about replies to `comment`, with no login (signed).

    Emails sent before addresses were confirmed carry it; it keeps working.
    """
    token = signing.dumps(comment.pk, salt=_UNSUBSCRIBE)
    return settings.SITE_URL + reverse("comments:unsubscribe", args=[token])


def comment_pk_from(token):
    """The comment a link from unsubscribe_url() is about, or None for a forged one."""
    return _signed(token, _UNSUBSCRIBE)


def _signed(token, salt):
    """What a link made with `salt` says, or None if the link is forged."""
    try:
        return signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None


def ask_to_confirm(comment):
    """If `comment` asks for replies from an address never asked before, ask it once to confirm."""
    from .models import Subscriber

    if not (comment.notify and comment.author_email):
        return
    subscriber, _ = Subscriber.objects.get_or_create(email=comment.author_email.lower())
    transaction.on_commit(lambda: _ask(subscriber.pk))


def _ask(pk):
    from .models import Subscriber

    # Claim it first: of two comments sent at once, only one asks.
    if not Subscriber.objects.filter(pk=pk, confirmed=None, confirmation_sent=None).update(
        confirmation_sent=timezone.now()
    ):
        return
    subscriber = Subscriber.objects.get(pk=pk)
    token = signing.dumps(subscriber.email, salt=_CONFIRM)
    link = settings.SITE_URL + reverse("comments:confirm", args=[token])
    send_mail(
        f"Confirm your address for replies on {settings.BLOG_TITLE}",
        f"Someone, probably you, asked {settings.BLOG_TITLE} to email {subscriber.email} when "
        f"their comment gets a reply. To say yes, open:\n\n{link}\n\n"
        "If it was not you, do nothing: this is the only email you will get from us.\n",
        None,
        [subscriber.email],
    )


def confirmed_email(token):
    """The address a confirmation link is for, or None for a forged one."""
    return _signed(token, _CONFIRM)


def mute_url(subscriber, post=None):
    """A signed link muting `subscriber`'s mail about `post`'s thread, or all of it."""
    token = signing.dumps([subscriber.pk, post.pk if post else None], salt=_MUTE)
    return settings.SITE_URL + reverse("comments:mute", args=[token])


def muted_by(token):
    """(subscriber pk, post pk or None) that a mute link is for, or None for a forged one."""
    return _signed(token, _MUTE)


def announce_replies(pks):
    """Once the transaction commits, tell each parent's author of these replies, once each."""
    transaction.on_commit(lambda: _announce(pks))


def _announce(pks):
    from .models import Comment, Subscriber, ThreadMail

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
        subscriber = Subscriber.objects.filter(
            email=parent.author_email.lower(), confirmed__isnull=False, muted=False
        ).first()
        if subscriber is None:
            continue
        thread, _ = ThreadMail.objects.get_or_create(subscriber=subscriber, post=reply.post)
        now = timezone.now()
        due = Q(last_sent=None) | Q(last_sent__lte=now - RATE)
        if ThreadMail.objects.filter(due, pk=thread.pk, muted=False).update(last_sent=now):
            _send(reply, parent, subscriber)


def _send(reply, parent, subscriber):
    thread = mute_url(subscriber, reply.post)
    everything = mute_url(subscriber)
    link = settings.SITE_URL + reply.get_absolute_url()
    body = (
        f"{reply.author} replied to your comment on “{reply.post.title}”:\n\n"
        f"{reply.body}\n\n"
        f"Read it on the blog: {link}\n\n"
        "You get this because you asked to hear of replies to your comment, and confirmed "
        "your address. At most one email an hour is sent about a post's comments.\n"
        f"No more emails about this post: {thread}\n"
        f"No more emails from this blog: {everything}\n"
    )
    EmailMessage(
        subject=f"{reply.author} replied to your comment on “{reply.post.title}”",
        body=body,
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{thread}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send()

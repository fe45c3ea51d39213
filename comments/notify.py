"""Email to commenters who asked for it, built so that it cannot be turned against anyone.

- An address gets one confirmation request, ever, and nothing else until it is confirmed: a
  stranger typing someone's address into the form cannot make the blog mail them again.
- A reply is announced only once published, only once, and to a confirmed address.
- At most one email per thread (a post's comments) per address per hour; replies in between
  are not announced (the email links to the thread, where they are).
- Every email carries one-click links to mute the thread and to mute all mail.

No email is sent inside a request: each is a task (django-tasks), queued in the database once
the request's transaction commits and sent by `manage.py db_worker`, so a slow or dead SMTP
server costs a reader nothing. A task is given primary keys, never objects, and builds its
message when it runs, from what is true then (a thread muted meanwhile gets nothing).
"""

import logging
import re
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

logger = logging.getLogger(__name__)

RATE = timedelta(hours=1)
# How long to wait before trying a failed email again: growing, and bounded, so that a mail
# server down for an afternoon loses nothing and one that refuses for good is left alone.
RETRY_AFTER = [timedelta(minutes=m) for m in (1, 5, 30, 120, 480)]
_UNSUBSCRIBE = "comments.unsubscribe"
_CONFIRM = "comments.confirm"
_MUTE = "comments.mute"
# How long the links in these emails work: an old email's link, found by whoever later reads
# that mailbox, should not act on an address for ever.
LINK_MAX_AGE = timedelta(days=365)


def unsubscribe_url(comment):
    """A link that stops the emails about replies to `comment`, with no login (signed).

    Emails sent before addresses were confirmed carry it; it works for LINK_MAX_AGE.
    """
    token = signing.dumps(comment.pk, salt=_UNSUBSCRIBE)
    return settings.SITE_URL + reverse("comments:unsubscribe", args=[token])


def comment_pk_from(token):
    """The comment a link from unsubscribe_url() is about, or None (forged, or too old)."""
    return _signed(token, _UNSUBSCRIBE)


def _signed(token, salt):
    """What a link made with `salt` says, or None if the link is forged or over LINK_MAX_AGE."""
    try:
        return signing.loads(token, salt=salt, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None


def message(subject, body, to, headers=None):
    """An email from the blog. Line breaks in the subject become spaces: it is built from names
    and titles that others typed, and a header with a line break in it cannot be sent at all."""
    return EmailMessage(subject=re.sub(r"[\r\n]+", " ", subject), body=body, to=to, headers=headers)


def later(send, *args):
    """Queue the task `send` with `args` once the current transaction commits.

    robust: the comment is already stored by then, so a queue that fails is logged, not the
    reader's error.
    """
    transaction.on_commit(partial(send.enqueue, *args), robust=True)


def deliver(email, send, *args, attempt):
    """Send `email`, which the task `send` built from `args`; True once the server took it.

    If the server fails (refuses, drops the line, or does not answer within EMAIL_TIMEOUT),
    say so in the log and queue `send` again with the same arguments, later each time, up to
    len(RETRY_AFTER) times. After the last, the whole message goes to the log, so that it can
    still be sent by hand.
    """
    try:
        email.send()
    except OSError as error:  # smtplib's errors and socket timeouts are all OSErrors
        what = f"{email.subject!r} to {', '.join(email.to)}"
        if attempt >= len(RETRY_AFTER):
            logger.error(
                "Gave up emailing %s after %d attempts: %r\n\n%s",
                what,
                attempt + 1,
                error,
                email.message().as_string(),
            )
            return False
        wait = RETRY_AFTER[attempt]
        logger.warning(
            "Could not email %s (attempt %d): %r; trying again in %s",
            what,
            attempt + 1,
            error,
            wait,
        )
        send.using(run_after=timezone.now() + wait).enqueue(*args, attempt=attempt + 1)
        return False
    return True


def ask_to_confirm(comment):
    """If `comment` asks for replies from an address never asked before, ask it once to confirm."""
    from .models import Subscriber

    if not (comment.notify and comment.author_email):
        return
    subscriber, _ = Subscriber.objects.get_or_create(email=comment.author_email.lower())
    later(send_confirmation_request, subscriber.pk)


@task()
def send_confirmation_request(pk, attempt=0):
    from .models import Subscriber

    # Claim it first: of two comments sent at once, only one asks.
    claimed = timezone.now()
    if not Subscriber.objects.filter(pk=pk, confirmed=None, confirmation_sent=None).update(
        confirmation_sent=claimed
    ):
        return
    subscriber = Subscriber.objects.get(pk=pk)
    token = signing.dumps(subscriber.email, salt=_CONFIRM)
    link = settings.SITE_URL + reverse("comments:confirm", args=[token])
    email = message(
        gettext("Confirm your address for replies on %(blog)s") % {"blog": settings.BLOG_TITLE},
        gettext(
            "Someone, probably you, asked %(blog)s to email %(email)s when their comment gets a "
            "reply. To say yes, open:\n\n%(link)s\n\n"
            "If it was not you, do nothing: this is the only email you will get from us.\n"
        )
        % {"blog": settings.BLOG_TITLE, "email": subscriber.email, "link": link},
        [subscriber.email],
    )
    if not deliver(email, send_confirmation_request, pk, attempt=attempt):
        # Nothing was sent: give the claim back, so that the retry (or the next comment) asks.
        Subscriber.objects.filter(pk=pk, confirmation_sent=claimed).update(confirmation_sent=None)


def confirmed_email(token):
    """The address a confirmation link is for, or None (forged, or too old)."""
    return _signed(token, _CONFIRM)


def mute_url(subscriber, post=None):
    """A signed link muting `subscriber`'s mail about `post`'s thread, or all of it."""
    token = signing.dumps([subscriber.pk, post.pk if post else None], salt=_MUTE)
    return settings.SITE_URL + reverse("comments:mute", args=[token])


def muted_by(token):
    """(subscriber pk, post pk or None) that a mute link is for, or None (forged, or too old)."""
    return _signed(token, _MUTE)


def announce_replies(pks):
    """Once the transaction commits, queue a mail to each parent's author of these replies."""
    transaction.on_commit(partial(_queue_announcements, pks), robust=True)


def _queue_announcements(pks):
    from .models import Comment

    replies = (
        Comment.objects.published()
        .filter(pk__in=pks, reply_announced=False, parent__notify=True)
        .exclude(parent__author_email="")
    )
    for pk in replies.values_list("pk", flat=True):
        announce_reply.enqueue(pk)


@task()
def announce_reply(pk, attempt=0):
    """Tell the author of the comment that reply `pk` answers, if they still want to hear."""
    from .models import Comment, Subscriber, ThreadMail

    reply = (
        Comment.objects.published()
        .filter(pk=pk, reply_announced=False, parent__notify=True)
        .exclude(parent__author_email="")
        .select_related("parent", "post")
        .first()
    )
    if reply is None:
        return
    parent = reply.parent
    if parent.author_email.lower() == reply.author_email.lower():
        return  # nobody needs telling of their own reply
    subscriber = Subscriber.objects.filter(
        email=parent.author_email.lower(), confirmed__isnull=False, muted=False
    ).first()
    if subscriber is None:
        return
    thread, _ = ThreadMail.objects.get_or_create(subscriber=subscriber, post=reply.post)
    # Claim the thread's hour first: of two replies (or two copies of this task) sent at once,
    # only one mails.
    now = timezone.now()
    due = Q(last_sent=None) | Q(last_sent__lte=now - RATE)
    if not ThreadMail.objects.filter(due, pk=thread.pk, muted=False).update(last_sent=now):
        return
    if deliver(_reply_mail(reply, subscriber), announce_reply, pk, attempt=attempt):
        # Only now: a reply whose mail failed is still to be announced.
        Comment.objects.filter(pk=pk).update(reply_announced=True)
    else:
        # Nothing was sent this hour: give it back, so that the retry may send.
        ThreadMail.objects.filter(pk=thread.pk, last_sent=now).update(last_sent=thread.last_sent)


def _reply_mail(reply, subscriber):
    thread = mute_url(subscriber, reply.post)
    everything = mute_url(subscriber)
    link = settings.SITE_URL + reply.get_absolute_url()
    names = {"author": reply.author, "title": reply.post.title}
    body = gettext(
        "%(author)s replied to your comment on “%(title)s”:\n\n"
        "%(body)s\n\n"
        "Read it on the blog: %(link)s\n\n"
        "You get this because you asked to hear of replies to your comment, and confirmed "
        "your address. At most one email an hour is sent about a post's comments.\n"
        "No more emails about this post: %(thread)s\n"
        "No more emails from this blog: %(everything)s\n"
    ) % {**names, "body": reply.body, "link": link, "thread": thread, "everything": everything}
    return message(
        gettext("%(author)s replied to your comment on “%(title)s”") % names,
        body,
        [subscriber.email],
        headers={
            "List-Unsubscribe": f"<{thread}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )

"""Email to commenters and followers who asked for it, built so that it cannot be turned against
anyone.

- An address gets one confirmation request, ever, and nothing else until it is confirmed: a
  stranger typing someone's address into a form cannot make the blog mail them again.
- A reply is announced only once published, only once, and to a confirmed address; so is a
  new comment on a post the address follows ("Email me new comments on this post").
- At most one email per thread (a post's comments) per address per hour, replies and new
  comments alike; those in between are not announced (the email links to the thread).
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
    if comment.notify and comment.author_email:
        _subscribe(comment.author_email)


def follow(post, email):
    """Email `email` each new comment on `post` from now on, once the address is confirmed (if it
    was never asked to, it is asked once). A thread or an address muted stays muted: whoever
    types an address in the form need not be its owner."""
    from .models import ThreadMail

    with transaction.atomic():
        subscriber = _subscribe(email)
        thread, _ = ThreadMail.objects.get_or_create(subscriber=subscriber, post=post)
        ThreadMail.objects.filter(pk=thread.pk, following_since=None).update(
            following_since=timezone.now()
        )


def _subscribe(email):
    """The Subscriber for `email`, asked (after the transaction) to confirm if it never was."""
    from .models import Subscriber

    subscriber, _ = Subscriber.objects.get_or_create(email=email.lower())
    later(send_confirmation_request, subscriber.pk)
    return subscriber


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
    names = {"blog": settings.BLOG_TITLE, "email": subscriber.email, "link": link}
    followed = following(subscriber)
    if followed is None:
        subject = gettext("Confirm your address for replies on %(blog)s")
        body = gettext(
            "Someone, probably you, asked %(blog)s to email %(email)s when their comment gets a "
            "reply. To say yes, open:\n\n%(link)s\n\n"
            "If it was not you, do nothing: this is the only email you will get from us.\n"
        )
    else:
        names["title"] = followed.title
        subject = gettext("Confirm your address for new comments on %(blog)s")
        body = gettext(
            "Someone, probably you, asked %(blog)s to email %(email)s when someone comments on "
            "“%(title)s”. To say yes, open:\n\n%(link)s\n\n"
            "If it was not you, do nothing: this is the only email you will get from us.\n"
        )
    email = message(subject % names, body % names, [subscriber.email])
    if not deliver(email, send_confirmation_request, pk, attempt=attempt):
        # Nothing was sent: give the claim back, so that the retry (or the next comment) asks.
        Subscriber.objects.filter(pk=pk, confirmation_sent=claimed).update(confirmation_sent=None)


def following(subscriber):
    """The post `subscriber` first asked to follow, or None if they asked for replies only."""
    thread = (
        subscriber.threads.exclude(following_since=None)
        .select_related("post")
        .order_by("following_since")
        .first()
    )
    return thread.post if thread else None


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


def announce_published(pks):
    """Once the transaction commits, queue the mail that these newly published comments are
    news for: to each parent's author of a reply, and to their posts' followers."""
    transaction.on_commit(partial(_queue_announcements, pks), robust=True)


def _queue_announcements(pks):
    from .models import Comment, ThreadMail

    replies = (
        Comment.objects.published()
        .filter(pk__in=pks, reply_announced=False, parent__notify=True)
        .exclude(parent__author_email="")
    )
    for pk in replies.values_list("pk", flat=True):
        announce_reply.enqueue(pk)
    followed = ThreadMail.objects.exclude(following_since=None).values("post_id")
    news = Comment.objects.published().filter(
        pk__in=pks, followers_told=False, post_id__in=followed
    )
    for pk in news.values_list("pk", flat=True):
        tell_followers.enqueue(pk)


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
    names = {"author": reply.author, "title": reply.post.title}
    return _thread_mail(
        reply,
        subscriber,
        gettext("%(author)s replied to your comment on “%(title)s”") % names,
        gettext(
            "You get this because you asked to hear of replies to your comment, and confirmed "
            "your address."
        ),
    )


def _thread_mail(comment, subscriber, headline, why):
    """The email telling `subscriber` of `comment` under `headline`, saying `why` they get it,
    with its links to mute the thread or all mail (the thread's in one click, RFC 8058)."""
    thread = mute_url(subscriber, comment.post)
    everything = mute_url(subscriber)
    link = settings.SITE_URL + comment.get_absolute_url()
    body = gettext(
        "%(headline)s:\n\n"
        "%(body)s\n\n"
        "Read it on the blog: %(link)s\n\n"
        "%(why)s At most one email an hour is sent about a post's comments.\n"
        "No more emails about this post: %(thread)s\n"
        "No more emails from this blog: %(everything)s\n"
    ) % {
        "headline": headline,
        "body": comment.body,
        "link": link,
        "why": why,
        "thread": thread,
        "everything": everything,
    }
    return message(
        headline,
        body,
        [subscriber.email],
        headers={
            "List-Unsubscribe": f"<{thread}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


@task()
def tell_followers(pk):
    """Queue a mail about the published comment `pk` to each confirmed follower of its post who
    followed it before the comment was sent; once per comment, ever."""
    from .models import Comment

    # Claim it first: of two copies of this task, only one tells.
    if (
        not Comment.objects.published()
        .filter(pk=pk, followers_told=False)
        .update(followers_told=True)
    ):
        return
    comment = Comment.objects.get(pk=pk)
    followers = (
        _following()
        .filter(post_id=comment.post_id, following_since__lte=comment.created)
        .exclude(subscriber__email=comment.author_email.lower())  # nobody hears of their own
    )
    for thread in followers.values_list("pk", flat=True):
        mail_follower.enqueue(pk, thread)


def _following():
    from .models import ThreadMail

    return ThreadMail.objects.filter(
        following_since__isnull=False,
        muted=False,
        subscriber__confirmed__isnull=False,
        subscriber__muted=False,
    )


@task()
def mail_follower(pk, thread, attempt=0):
    """Tell the follower of ThreadMail `thread` of the published comment `pk`, if they still
    want to hear, and not within the hour since their last mail about the post."""
    from .models import Comment, ThreadMail

    comment = Comment.objects.published().filter(pk=pk).select_related("post").first()
    followed = _following().filter(pk=thread).select_related("subscriber").first()
    if comment is None or followed is None:
        return
    now = timezone.now()
    due = Q(last_sent=None) | Q(last_sent__lte=now - RATE)
    if not ThreadMail.objects.filter(due, pk=thread, muted=False).update(last_sent=now):
        return
    email = _follower_mail(comment, followed.subscriber)
    if not deliver(email, mail_follower, pk, thread, attempt=attempt):
        # Nothing was sent this hour: give it back, so that the retry may send.
        ThreadMail.objects.filter(pk=thread, last_sent=now).update(last_sent=followed.last_sent)


def _follower_mail(comment, subscriber):
    names = {"author": comment.author, "title": comment.post.title}
    return _thread_mail(
        comment,
        subscriber,
        gettext("%(author)s commented on “%(title)s”") % names,
        gettext(
            "You get this because you asked to hear of new comments on this post, and confirmed "
            "your address."
        ),
    )

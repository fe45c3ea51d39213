"""Email to the owner when a comment waits, with links that approve or mark it as spam.

The links are signed, expire after MODERATION_LINK_DAYS, and work once: each names the
comment's latest decision, so any decision since (by link or in the admin) retires them.
Opening one shows the comment and a button; only pressing it decides, because mail scanners
open every link in a message.

Like all the blog's mail, it is a task sent by `manage.py db_worker`, never inside a request.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.dispatch import receiver
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django_tasks import task

from comments import notify
from comments.models import Comment

from .models import Decision
from .signals import decided

_SALT = "moderation.decide"
ACTIONS = {"approve": Comment.Status.PUBLISHED, "spam": Comment.Status.SPAM}


@receiver(decided)
def tell_about_decision(sender, comments, status, actor, **kwargs):
    # A person who moved a comment back to the queue knows it waits.
    if actor is None:
        for comment in comments:
            tell_the_owner(comment)


def tell_the_owner(comment):
    """Once the transaction commits, email the owner (OWNER_EMAIL) that `comment` waits."""
    if comment.status != Comment.Status.PENDING or not settings.OWNER_EMAIL:
        return
    notify.later(send_waiting, comment.pk)


@task()
def send_waiting(pk, attempt=0):
    comment = Comment.objects.select_related("post").filter(pk=pk).first()
    if comment is None or comment.status != Comment.Status.PENDING:
        return  # decided (or deleted) before the mail went: nothing waits any more
    queue = settings.SITE_URL + reverse("admin:moderation_queuedcomment_changelist")
    days = settings.MODERATION_LINK_DAYS
    links = ""
    # The links act as the owner's staff account: with none, a decision would be nobody's.
    if owner() is not None:
        links = (
            f"Approve it: {decision_url(comment, 'approve')}\n"
            f"Mark it as spam: {decision_url(comment, 'spam')}\n"
            f"(These links work once, for {days} day{pluralize(days)}.)\n\n"
        )
    email = notify.message(
        f"A comment waits for you on “{comment.post.title}”",
        f"{comment.author} wrote (#{comment.number}):\n\n{comment.body}\n\n{links}"
        f"Decide in the moderation queue: {queue}\n",
        [settings.OWNER_EMAIL],
    )
    notify.deliver(email, send_waiting, pk, attempt=attempt)


def decision_url(comment, action):
    """A signed link deciding `comment` (`action`: approve or spam), until anything else does."""
    token = signing.dumps([comment.pk, action, _latest_decision(comment.pk)], salt=_SALT)
    return settings.SITE_URL + reverse("moderation:decide", args=[token])


class AlreadyDecided(LookupError):
    """The link was used, or overtaken by another decision; `comment` is None if it is gone."""

    def __init__(self, comment=None):
        super().__init__("already decided")
        self.comment = comment


def read(token, lock=False):
    """(comment, action) for a valid, unexpired and unused link; raises signing.BadSignature
    (or its SignatureExpired) otherwise, and AlreadyDecided when it was used or overtaken.

    With `lock`, in a transaction, the comment stays locked until it ends: decide in it.
    """
    pk, action, latest = signing.loads(
        token, salt=_SALT, max_age=settings.MODERATION_LINK_DAYS * 24 * 60 * 60
    )
    comments = Comment.objects.select_related("post").filter(pk=pk)
    if lock:
        # Approve and spam pressed at once take turns here, so the second reads the first's
        # decision below rather than the one both links were sent with.
        comments = comments.select_for_update(of=("self",))
    comment = comments.first()
    if comment is None or action not in ACTIONS:
        raise AlreadyDecided()
    if _latest_decision(pk) != latest:
        raise AlreadyDecided(comment)
    return comment, action


def owner():
    """The staff user the owner's email belongs to, who the links act as (None if none)."""
    return (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True, email__iexact=settings.OWNER_EMAIL)
        .order_by("pk")
        .first()
    )


def _latest_decision(pk):
    return (
        Decision.objects.filter(comment_id=pk).order_by("-pk").values_list("pk", flat=True).first()
    )

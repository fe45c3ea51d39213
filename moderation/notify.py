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
from django.core.checks import Error, register
from django.dispatch import receiver
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django_tasks import task

from comments import notify
from comments.models import Comment
from comments.signals import comment_was_posted

from .models import Decision

_SALT = "moderation.decide"
ACTIONS = {"approve": Comment.Status.PUBLISHED, "spam": Comment.Status.SPAM}


@receiver(comment_was_posted)
def tell_about_arrival(sender, comment, request, **kwargs):
    tell_the_owner(comment)


def tell_the_owner(comment):
    """Once the transaction commits, email the owner (OWNER_EMAIL) that `comment` waits, or
    that it came, as OWNER_EMAIL_ON says."""
    # The owner needs no mail about a comment they wrote themselves.
    if comment.status not in told_of() or comment.by_owner or not settings.OWNER_EMAIL:
        return
    notify.later(send_waiting, comment.pk)


# OWNER_EMAIL_ON: the statuses of new comments the owner hears of.
TOLD_OF = {
    "held": [Comment.Status.PENDING],
    "all": [Comment.Status.PENDING, Comment.Status.PUBLISHED],
    "none": [],
}


def told_of():
    return TOLD_OF[settings.OWNER_EMAIL_ON]


@register()
def check_owner_email_on(app_configs, **kwargs):
    """A mistyped OWNER_EMAIL_ON is refused at start-up rather than read as silence."""
    if settings.OWNER_EMAIL_ON in TOLD_OF:
        return []
    return [
        Error(
            f"OWNER_EMAIL_ON is {settings.OWNER_EMAIL_ON!r}",
            hint=f"Use one of {', '.join(TOLD_OF)}.",
            id="moderation.E003",
        )
    ]


@task()
def send_waiting(pk, attempt=0):
    comment = Comment.objects.select_related("post", "assessment").filter(pk=pk).first()
    if comment is None or comment.status not in told_of():
        return  # decided (or deleted) before the mail went: nothing waits any more
    if comment.status != Comment.Status.PENDING:
        subject = f"A new comment on “{comment.post.title}”"
    else:
        subject = f"A comment waits for you on “{comment.post.title}”"
    queue = settings.SITE_URL + reverse("admin:moderation_queuedcomment_changelist")
    days = settings.MODERATION_LINK_DAYS
    links = ""
    # The links act as the owner's staff account: with none, a decision would be nobody's.
    if owner() is not None and comment.status == Comment.Status.PENDING:
        links = (
            f"Approve it: {decision_url(comment, 'approve')}\n"
            f"Mark it as spam: {decision_url(comment, 'spam')}\n"
            f"(These links work once, for {days} day{pluralize(days)}.)\n\n"
        )
    assessment = getattr(comment, "assessment", None)
    verdict = (
        f"Score: {assessment.score:.2f} ({'; '.join(assessment.reasons) or 'no reasons'})\n"
        if assessment
        else ""
    )
    email = notify.message(
        subject,
        f"{comment.author} wrote (#{comment.number}):\n\n{comment.body}\n\n"
        f"Name: {comment.author}\nEmail: {comment.author_email or '—'}\n"
        f"Website: {comment.author_url or '—'}\n{verdict}\n{links}"
        f"Decide in the moderation queue: {queue}\n",
        [settings.OWNER_EMAIL],
    )
    notify.deliver(email, send_waiting, pk, attempt=attempt)


def decision_url(comment, action):
    """A signed link deciding `comment` (`action`: approve or spam), until anything else does."""
    token = signing.dumps([comment.pk, action, _latest_decision(comment.pk)], salt=_SALT)
    return settings.SITE_URL + reverse("moderation:decide", args=[token])


def read(token):
    """(comment, action) for a valid, unexpired and unused link; raises signing.BadSignature
    (or its SignatureExpired) otherwise, and LookupError when it was used or overtaken."""
    pk, action, latest = signing.loads(
        token, salt=_SALT, max_age=settings.MODERATION_LINK_DAYS * 24 * 60 * 60
    )
    comment = Comment.objects.select_related("post").filter(pk=pk).first()
    if comment is None or action not in ACTIONS or _latest_decision(pk) != latest:
        raise LookupError("already decided")
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

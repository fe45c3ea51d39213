"""Email to the owner when a comment waits, with links that approve or mark it as spam.

At most MODERATION_MAILS such emails go out in any MODERATION_MAIL_WINDOW seconds: past that,
the comments that arrive wait until the window has room again, and then one digest names every
one of them, so a flood of comments is a few emails, and none is left out.

The links are signed, expire after MODERATION_LINK_DAYS, and work once: each names the
comment's latest decision, so any decision since (by link or in the admin) retires them.
Opening one shows the comment and a button; only pressing it decides, because mail scanners
open every link in a message.

Like all the blog's mail, it is a task sent by `manage.py db_worker`, never inside a request.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.checks import Error, register
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django_tasks import task

from comments import notify
from comments.models import Comment

from .models import Decision, WaitingNotice
from .signals import decided

_SALT = "moderation.decide"
# A digest quotes this much of each comment; the queue has the rest.
DIGEST_BODY_CHARS = 500
ACTIONS = {"approve": Comment.Status.PUBLISHED, "spam": Comment.Status.SPAM}


@receiver(decided)
def tell_about_decision(sender, comments, status, actor, **kwargs):
    # A person who moved a comment back to the queue knows it waits.
    if actor is None:
        for comment in comments:
            tell_the_owner(comment)


def tell_the_owner(comment):
    """Once the transaction commits, email the owner (OWNER_EMAIL) that `comment` waits, or
    that it came, as OWNER_EMAIL_ON says."""
    # The owner needs no mail about a comment they wrote themselves.
    if comment.status not in told_of() or comment.by_owner or not settings.OWNER_EMAIL:
        return
    WaitingNotice.objects.update_or_create(comment=comment, defaults={"sent": None})
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
    """Tell the owner that comment `pk` waits, with every other waiting comment not yet told of;
    later if the window's emails are used up."""
    to_tell = WaitingNotice.objects.filter(sent=None, comment__status__in=told_of())
    if not to_tell.filter(comment_id=pk).exists():
        return  # decided (or deleted) before the mail went, or named in an email since
    now = timezone.now()
    window = timedelta(seconds=settings.MODERATION_MAIL_WINDOW)
    sent = WaitingNotice.objects.filter(sent__gt=now - window).values_list("sent", flat=True)
    recent = sorted(set(sent))
    if len(recent) >= settings.MODERATION_MAILS:
        # When the oldest leaves the window, the first task to run names them all at once.
        send_waiting.using(run_after=recent[0] + window).enqueue(pk, attempt=attempt)
        return
    # Claimed in one statement: of two workers at once, each comment goes to one email.
    to_tell.update(sent=now)
    comments = list(
        Comment.objects.filter(waiting_notice__sent=now)
        .select_related("post", "assessment")
        .order_by("pk")
    )
    if not comments:
        return
    # The links act as the owner's staff account: with none, a decision would be nobody's.
    links = owner() is not None
    email = _one_waits(comments[0], links) if len(comments) == 1 else _digest(comments, links)
    if not notify.deliver(email, send_waiting, pk, attempt=attempt):
        # Nothing was sent: give them back, for the retry (or the next email) to name.
        WaitingNotice.objects.filter(sent=now).update(sent=None)


def _one_waits(comment, links):
    title = {"title": comment.post.title}
    if comment.status == Comment.Status.PENDING:
        subject = gettext("A comment waits for you on “%(title)s”") % title
    else:
        subject = gettext("A new comment on “%(title)s”") % title
    shown = _links(comment, links)
    lasting = {"lasting": _lasting()}
    note = gettext("(These links work %(lasting)s.)") % lasting + "\n\n" if shown else ""
    return notify.message(
        subject,
        gettext("%(author)s wrote (#%(number)s):")
        % {"author": comment.author, "number": comment.number}
        + f"\n\n{comment.body}\n\n{_sender(comment)}\n{shown}{note}"
        + _decide_in_queue(),
        [settings.OWNER_EMAIL],
    )


def _sender(comment):
    """Who wrote it and what the filter made of it, for the owner to judge by."""
    assessment = getattr(comment, "assessment", None)
    verdict = (
        gettext("Score: %(score).2f (%(reasons)s)")
        % {
            "score": assessment.score,
            # The reasons are stored in the words the checks gave them (moderation/checks.py).
            "reasons": "; ".join(assessment.reasons) or gettext("no reasons"),
        }
        + "\n"
        if assessment
        else ""
    )
    return (
        gettext("Name: %(name)s\nEmail: %(email)s\nWebsite: %(website)s\n")
        % {
            "name": comment.author,
            "email": comment.author_email or "—",
            "website": comment.author_url or "—",
        }
        + verdict
    )


def _digest(comments, links):
    listed = "".join(
        gettext("%(author)s wrote (#%(number)s) on “%(title)s”:")
        % {"author": comment.author, "number": comment.number, "title": comment.post.title}
        + f"\n\n{Truncator(comment.body).chars(DIGEST_BODY_CHARS)}\n\n"
        f"{_sender(comment)}{_links(comment, links)}----\n\n"
        for comment in comments
    )
    lasting = {"lasting": _lasting()}
    note = gettext("(Each link works %(lasting)s.)") % lasting + "\n\n" if links else ""
    count = {"count": len(comments)}
    if all(comment.status == Comment.Status.PENDING for comment in comments):
        subject = gettext("%(count)s comments wait for you") % count
    else:
        subject = gettext("%(count)s new comments") % count
    return notify.message(
        subject,
        gettext("So many comments came at once that they are named together here.")
        + f"\n\n{listed}{note}"
        + _decide_in_queue(),
        [settings.OWNER_EMAIL],
    )


def _links(comment, links):
    # Only a comment that waits has anything to decide.
    if not links or comment.status != Comment.Status.PENDING:
        return ""
    return gettext("Approve it: %(approve)s\nMark it as spam: %(spam)s\n") % {
        "approve": decision_url(comment, "approve"),
        "spam": decision_url(comment, "spam"),
    }


def _lasting():
    days = settings.MODERATION_LINK_DAYS
    return ngettext("once, for %(days)s day", "once, for %(days)s days", days) % {"days": days}


def _decide_in_queue():
    return gettext("Decide in the moderation queue: %(url)s") % {"url": _queue_url()} + "\n"


def _queue_url():
    return settings.SITE_URL + reverse("admin:moderation_queuedcomment_changelist")


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

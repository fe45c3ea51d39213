from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.models import Comment

from . import checks
from .signals import decided


class DecisionManager(models.Manager):
    def change(self, comments, status, actor=None, note=""):
        """Move `comments` (a queryset) to `status`, recording who did it, when, from and to.

        Comments already in `status` are left alone and not recorded. Returns how many changed.
        """
        with transaction.atomic():
            # Without the joins a list page adds: PostgreSQL cannot lock the nullable side of one.
            changing = list(
                comments.select_related(None).select_for_update().exclude(status=status)
            )
            Comment.objects.filter(pk__in=[c.pk for c in changing]).set_status(status)
            self.bulk_create(
                Decision.of(c, actor=actor, from_status=c.status, to_status=status, note=note)
                for c in changing
            )
            if actor is not None:
                LogEntry.objects.log_actions(
                    actor.pk, changing, CHANGE, note or f"Moved to {Comment.Status(status).label}"
                )
            for comment in changing:
                comment.status = status
            if changing:
                decided.send(sender=Decision, comments=changing, status=status, actor=actor)
        return len(changing)

    def arrived(self, comment):
        """Record the status a new comment was given (its assessment says under which policy)."""
        note = f"policy: {comment.assessment.policy}"
        Decision.of(comment, to_status=comment.status, note=note).save()
        decided.send(sender=Decision, comments=[comment], status=comment.status, actor=None)

    def undo(self, comments, actor):
        """Put each of `comments` back where a person's latest decision took it from (teaching
        the filter back). Returns how many moved."""
        moved = 0
        for comment in comments:
            last = (
                self.filter(comment=comment, actor__isnull=False)
                .exclude(from_status="")
                .order_by("-created", "-pk")
                .first()
            )
            if last is not None and last.to_status == comment.status:
                moved += self.change(
                    Comment.objects.filter(pk=comment.pk), last.from_status, actor, note="undo"
                )
        return moved

    def purge(self, before, dry_run=False):
        """Delete the spam that went to the spam folder before `before`, recording each deletion;
        spam that replies still hang from is kept. Returns (purged, kept) lists of comments."""
        went = self.filter(to_status=Comment.Status.SPAM, comment=OuterRef("pk")).order_by(
            "-created"
        )
        spam = list(
            Comment.objects.filter(status=Comment.Status.SPAM)
            .annotate(spam_since=Subquery(went.values("created")[:1]))
            .filter(Q(spam_since__lt=before) | Q(spam_since=None, created__lt=before))
            .annotate(replies_count=Count("replies"))
        )
        kept = [c for c in spam if c.replies_count]
        purged = [c for c in spam if not c.replies_count]
        if not dry_run:
            with transaction.atomic():
                self.bulk_create(
                    # Its comment goes next; on_delete leaves the decision, in words.
                    Decision.of(
                        c,
                        from_status=Comment.Status.SPAM,
                        to_status=Decision.PURGED,
                        note=f"purged; spam since {(c.spam_since or c.created):%Y-%m-%d}",
                    )
                    for c in purged
                )
                Comment.objects.filter(pk__in=[c.pk for c in purged]).delete()
        return purged, kept


class Decision(models.Model):
    """One change of a comment's status: the moderation audit trail."""

    PURGED = "purged"

    # Kept when a purge deletes the comment: the trail outlives what it is about.
    comment = models.ForeignKey(
        Comment,
        null=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
        verbose_name=_("comment"),
    )
    about = models.CharField(
        _("about"), max_length=200, blank=True, help_text=_("The comment, in words.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Empty when the blog decided by itself."),
        verbose_name=_("actor"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # Empty for the status a new comment was given on arrival.
    from_status = models.CharField(
        _("from status"), max_length=10, choices=Comment.Status, blank=True
    )
    to_status = models.CharField(
        _("to status"),
        max_length=10,
        choices=[*Comment.Status.choices, (PURGED, _("purged (deleted)"))],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = DecisionManager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-created", "-pk"]

    def __str__(self):
        who = self.actor or "the blog"
        return (
            f"{self.comment or self.about}: {self.from_status or 'new'} → {self.to_status} by {who}"
        )

    @classmethod
    def of(cls, comment, **fields):
        """An (unsaved) decision on `comment`, which keeps it in words, cut to fit."""
        about = str(comment)[: cls._meta.get_field("about").max_length]
        return cls(**{"comment": comment, "about": about, **fields})


class Assessment(models.Model):
    """What the checks made of a comment on arrival: its score, the reasons, and what it taught."""

    class Lesson(models.TextChoices):
        NONE = "", _("nothing")
        HAM = "ham", _("Ham")
        SPAM = "spam", _("Spam")

    comment = models.OneToOneField(
        Comment,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="assessment",
        verbose_name=_("comment"),
    )
    score = models.FloatField(_("score"), help_text=_("0 is surely a reader, 1 surely spam."))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    conclusive = models.BooleanField(
        _("conclusive"),
        default=False,
        help_text=_(
            "Evidence enough for the spam folder: a hard signal, or what "
            "this blog learned with a check agreeing."
        ),
    )
    hard = models.BooleanField(
        _("hard signal"),
        default=False,
        help_text=_("A hard signal fired (blocklist, honeypot, known spam, flood)."),
    )
    policy = models.CharField(_("policy"), max_length=20, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    # What the owner's decisions taught the filter through this comment, and the exact tokens,
    # so that an undone decision subtracts what it added even if the text was edited since.
    learned_as = models.CharField(_("learned as"), max_length=4, choices=Lesson, blank=True)
    learned_tokens = models.JSONField(_("learned tokens"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self):
        return f"{self.comment}: {self.score:.2f}"


class BlockedManager(models.Manager):
    CACHE_KEY = "moderation:blocklists"

    def lists(self):
        """{kind: set of values}, from the cache; saving or deleting an entry clears it."""
        lists = cache.get(self.CACHE_KEY)
        if lists is None:
            lists = {}
            for kind, value in self.values_list("kind", "value"):
                lists.setdefault(kind, set()).add(value)
            cache.set(self.CACHE_KEY, lists, None)
        return lists

    def forget_cached(self, **kwargs):
        cache.delete(self.CACHE_KEY)

    def block_senders(self, comments):
        """Put each comment's sender on the blocklists: email, website domain, IP address, and
        the name when nothing else identifies them. Returns how many entries were new."""
        added = 0
        for c in comments:
            entries = [
                (Blocked.Kind.EMAIL, c.author_email),
                (Blocked.Kind.DOMAIN, checks.host(c.author_url) if c.author_url else ""),
                (Blocked.Kind.IP, c.ip_address or ""),
            ]
            if not any(value for _, value in entries):
                entries.append((Blocked.Kind.NAME, c.author_name))
            for kind, value in entries:
                if value:
                    _entry, created = self.get_or_create(
                        kind=kind, value=value.strip().lower(), defaults={"note": f"from {c}"}
                    )
                    added += created
        return added


class Blocked(models.Model):
    """One entry of a blocklist: a comment matching it is scored as spam, with the reason shown."""

    class Kind(models.TextChoices):
        WORD = "word", _("word or phrase in the text")
        DOMAIN = "domain", _("domain (website, link or email)")
        EMAIL = "email", _("email address")
        IP = "ip", _("IP address")
        NAME = "name", _("name")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    value = models.CharField(_("value"), max_length=200)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)

    objects = BlockedManager()

    class Meta:
        verbose_name = _("blocklist entry")
        verbose_name_plural = _("blocklist")
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="blocked_once")]

    def __str__(self):
        return f"{self.kind}: {self.value}"

    def save(self, *args, **kwargs):
        # Matching is case-insensitive; store the form it is matched in.
        self.value = self.value.strip().lower()
        super().save(*args, **kwargs)


class TokenCount(models.Model):
    """What the owner taught the learned filter: per token, in how many spam and ham comments.

    The row whose token is `spam.DOCS` counts the comments themselves.
    """

    token = models.CharField(_("token"), max_length=40, primary_key=True)
    spam = models.IntegerField(_("spam"), default=0)
    ham = models.IntegerField(_("ham"), default=0)

    class Meta:
        verbose_name = _("token count")
        verbose_name_plural = _("token counts")

    def __str__(self):
        return f"{self.token}: {self.spam} spam, {self.ham} ham"


class WaitingNotice(models.Model):
    """The owner is to be told (`sent` empty), or was told at `sent`, that this comment waits.

    The comments one email names share its `sent`, so the emails sent lately are the distinct
    `sent` times; a comment that comes to wait again is to be told again.
    """

    comment = models.OneToOneField(
        Comment,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="waiting_notice",
        verbose_name=_("comment"),
    )
    sent = models.DateTimeField(_("sent"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("waiting notice")
        verbose_name_plural = _("waiting notices")

    def __str__(self):
        return f"{self.comment}: {self.sent or 'to tell'}"


class QueueQuerySet(models.QuerySet):
    WAITING = [Comment.Status.PENDING, Comment.Status.SPAM]

    def waiting(self):
        """Comments the owner has yet to see or may want to rescue: held ones and spam."""
        return self.filter(status__in=self.WAITING)


class QueuedComment(Comment):
    """The moderation queue: comments as the owner decides them, with what the checks found."""

    objects = QueueQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("comment awaiting moderation")
        verbose_name_plural = _("moderation queue")


# Bulk deletes in the admin send post_delete per row too, so the cached lists never go stale.
post_save.connect(Blocked.objects.forget_cached, sender=Blocked)
post_delete.connect(Blocked.objects.forget_cached, sender=Blocked)

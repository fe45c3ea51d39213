import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from blog import pagecache, sanitize
from blog.models import Post

from . import notify, tree


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """Comments a reader sees, on the posts a reader sees: published ones, and removed ones
        as numbered tombstones. Every page, feed, count, search and link reads this."""
        return self.filter(status__in=Comment.SHOWN, post__in=Post.objects.published())

    def published(self):
        """The visible comments a reader can read, reply to and find: not the tombstones."""
        return self.visible().filter(status=Comment.Status.PUBLISHED)

    def count_per_post(self, posts):
        """{post pk: how many of these comments it has} for `posts`, in one query."""
        rows = self.filter(post__in=posts).values("post").annotate(count=Count("pk")).order_by()
        return {row["post"]: row["count"] for row in rows}

    def with_text(self, body):
        """Comments whose text is exactly `body`, found through the index on its hash."""
        return self.filter(body_hash=text_hash(body), body=body)

    def earlier_copy(self, comment):
        """The same sender's comment with the same text on the same post, if they sent it before."""
        return (
            self.with_text(comment.body)
            .filter(
                post_id=comment.post_id,
                author_name=comment.author_name,
                author_email=comment.author_email,
                ip_address=comment.ip_address,
            )
            .order_by("pk")
            .first()
        )

    def set_status(self, status):
        """Give these comments `status`, and refresh the pages that show them."""
        rows = list(self.values_list("pk", "post__slug"))
        count = self.update(status=status)
        pagecache.touch(Post.COMMENTS_TAG, *{Post.page_tag(slug) for _, slug in rows})
        if status == Comment.Status.PUBLISHED:
            notify.announce_published([pk for pk, _ in rows])
        return count

    def thread_shape(self):
        """Just what a thread is built from: (pk, parent_id, number, status) rows, oldest first."""
        return self.order_by("number").values_list(
            "pk", "parent_id", "number", "status", named=True
        )


class Comment(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        PENDING = "pending", _("Pending")
        SPAM = "spam", _("Spam")
        REMOVED = "removed", _("Removed")

    # What a reader sees of a comment on a public post, by its status: its text, or a tombstone.
    SHOWN = [Status.PUBLISHED, Status.REMOVED]

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", verbose_name=_("post")
    )
    # RESTRICT: a reply keeps its parent; deleting a whole post still cascades.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    number = models.PositiveIntegerField(
        _("number"), editable=False, help_text=_("One series per post.")
    )
    author_name = models.CharField(_("name"), max_length=100, blank=True)
    author_email = models.EmailField(_("email"), blank=True)
    author_url = models.URLField(_("website"), blank=True)
    body = models.TextField(_("comment"), blank=True)
    by_owner = models.BooleanField(
        _("by the owner"),
        default=False,
        editable=False,
        help_text=_("Written by the owner (staff), signed in."),
    )
    body_html = models.TextField(_("text as HTML"), editable=False)
    # The whole comment as readers see it, rendered on save like body_html, so that a page of
    # comments costs a join of strings rather than a template per comment.
    html = models.TextField(_("HTML"), editable=False, blank=True)
    # The checks for a text sent before look texts up by this: a text can be too long to index.
    body_hash = models.CharField(_("text hash"), max_length=32, editable=False, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    ip_address = models.GenericIPAddressField(
        _("IP address"), null=True, blank=True, editable=False
    )
    notify = models.BooleanField(
        _("email me replies"),
        default=False,
        help_text=_("Send replies to this comment to its author."),
    )
    # Set once the parent's author was told of this reply, so that nobody is told twice.
    reply_announced = models.BooleanField(_("reply announced"), default=False, editable=False)
    # Set once the post's followers were queued their mail about it, so that a comment held,
    # published, edited and published again is told of once.
    followers_told = models.BooleanField(_("followers told"), default=False, editable=False)
    edited = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)
    # Shown on the tombstone of a removed comment ("off-topic advertising"), if the owner gave one.
    removal_reason = models.CharField(_("public reason for removal"), max_length=200, blank=True)
    # Where an imported comment came from (its id in the export), so that importing twice
    # changes nothing.
    origin = models.CharField(_("origin"), max_length=300, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["post", "number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="comment_number_per_post"),
            models.UniqueConstraint(
                fields=["origin"], condition=~models.Q(origin=""), name="comment_origin_once"
            ),
        ]
        indexes = [
            models.Index(fields=["post", "status", "number"]),
            # The spam checks look back over recent comments (same text this week, same
            # address these ten minutes): by date, so a post costs the same as the table grows.
            models.Index(fields=["created"]),
            models.Index(fields=["ip_address", "created"]),
            models.Index(fields=["body_hash", "created"]),
        ]

    def __str__(self):
        return f"#{self.number} on {self.post}"

    def save(self, *args, **kwargs):
        if self.number is None:
            # No savepoint of its own: a failure here fails the caller's transaction anyway.
            with transaction.atomic(savepoint=False):
                self.number = self.next_number()
                super().save(*args, **kwargs)
        else:
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        # A stable address: which page of the thread shows a comment changes as threads grow.
        return reverse("comments:permalink", args=[self.pk])

    def cache_tags(self):
        """The page-cache tags of every page that shows this comment: its post's and the lists."""
        return [Post.COMMENTS_TAG, Post.page_tag(self.post.slug)]

    def located_url(self, reply=False):
        """The post page showing this comment, anchored at it (or at a form replying to it)."""
        shape = Comment.objects.filter(post_id=self.post_id).visible().thread_shape()
        number = tree.page(shape, showing=self.pk).number
        query = {"page": number} if number > 1 else {}
        if reply:
            query["replyto"] = self.number
        anchor = "comment-form" if reply else f"c{self.number}"
        return f"{self.post.get_absolute_url()}{'?' + urlencode(query) if query else ''}#{anchor}"

    @property
    def author_link(self):
        """The website to link the author's name to, or "" when it is not an http(s) address.

        The form and the importers keep anything else out, but a row may have been written
        otherwise (an older import, loaddata, the shell): a `javascript:` or `data:` address
        must never become a link, so it is checked again here, as a browser would read it.
        """
        url = self.author_url.strip()
        if any(ch.isspace() or not ch.isprintable() for ch in url):
            return ""  # a browser drops tabs and newlines, which would hide the real scheme
        return url if url.lower().startswith(("http://", "https://")) else ""

    @property
    def author(self):
        return self.author_name or gettext("Anonymous")

    @property
    def is_shown(self):
        """Whether readers see this comment (or its tombstone) wherever they see its post."""
        return self.status in self.SHOWN

    @property
    def is_removed(self):
        return self.status == self.Status.REMOVED

    def referring(self):
        """(replies under this comment, other visible comments on its post that name its author):
        what removing it would touch."""
        shape = Comment.objects.filter(post_id=self.post_id).thread_shape()
        below = [row.pk for row in tree.below(shape, self.pk)]
        replies = list(Comment.objects.filter(pk__in=below).order_by("number"))
        naming = []
        if len(self.author_name) >= 3:
            naming = list(
                Comment.objects.visible()
                .filter(post_id=self.post_id, body__icontains=self.author_name)
                .exclude(pk__in=[self.pk, *below])
                .order_by("number")
            )
        return replies, naming

    def edit(self, body):
        """Change the text, keeping the text it replaces as a Revision."""
        with transaction.atomic():
            Revision.objects.create(
                comment=self, body=self.body, created=self.edited or self.created
            )
            self.body = body
            self.edited = timezone.now()
            self.save(update_fields=["body", "body_hash", "body_html", "html", "edited"])

    def editable_until(self):
        return self.created + timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)

    def render(self):
        """Render the stored HTML from the text and the byline (done on every save)."""
        self.body_html = sanitize.comment_html(self.body)
        self.html = render_to_string("comments/_comment.html", {"comment": self})

    def next_number(self):
        """The number this comment takes on its post, under the post's lock: concurrent comments
        take turns until the transaction ends, so call it in the one that saves the comment."""
        self.post.lock()
        latest = Comment.objects.filter(post_id=self.post_id).aggregate(n=Max("number"))["n"]
        return (latest or 0) + 1


def text_hash(body):
    """A fixed-size fingerprint of a comment's text (equal texts, equal hashes)."""
    return hashlib.md5(body.encode(), usedforsecurity=False).hexdigest()


class Revision(models.Model):
    """A comment's text as it was before an edit, from `created` until the next edit."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("comment")
    )
    body = models.TextField(_("text"))
    created = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["comment", "created"]

    def __str__(self):
        return f"{self.comment} as of {self.created:%Y-%m-%d %H:%M}"


class Subscriber(models.Model):
    """An address that asked for emails about replies. Nothing but one confirmation request is
    ever sent to it until its owner confirms it."""

    email = models.EmailField(_("email"), unique=True)  # lower case
    created = models.DateTimeField(_("created"), default=timezone.now)
    confirmation_sent = models.DateTimeField(_("confirmation sent"), null=True, blank=True)
    confirmed = models.DateTimeField(_("confirmed"), null=True, blank=True)
    muted = models.BooleanField(_("all mail muted"), default=False)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self):
        return self.email


class ThreadMail(models.Model):
    """A subscriber's mail about one post's comments: replies to theirs, and every new comment
    if they follow the post; muted or not, and when last sent."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="threads", verbose_name=_("subscriber")
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="+", verbose_name=_("post")
    )
    muted = models.BooleanField(_("muted"), default=False)
    last_sent = models.DateTimeField(_("last sent"), null=True, blank=True)
    # When the subscriber asked to hear of every new comment on the post ("Email me new
    # comments"); comments sent before are not news to them. None: replies only.
    following_since = models.DateTimeField(_("following since"), null=True, blank=True)

    class Meta:
        verbose_name = _("mail about a post")
        verbose_name_plural = _("mail about posts")
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "post"], name="one_thread_mail"),
        ]

    def __str__(self):
        return f"{self.subscriber} on {self.post}"


@receiver(pre_save, sender=Comment)
def render_comment(sender, instance, **kwargs):
    # A receiver rather than save(), so that loaddata (which skips save()) renders fixtures too.
    instance.body_hash = text_hash(instance.body)
    instance.render()


@receiver(post_save, sender=Comment)
@receiver(post_delete, sender=Comment)
def refresh_pages(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: the post may not be loaded yet; every post's page shows POSTS_TAG
        pagecache.touch(Post.POSTS_TAG, Post.COMMENTS_TAG)
    # A held or spam comment shows nowhere yet: spam floods must not empty the page cache.
    elif instance.is_shown:
        pagecache.touch(*instance.cache_tags())


@receiver(post_save, sender=Comment)
def announce_a_published_comment(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.status == Comment.Status.PUBLISHED:
        notify.announce_published([instance.pk])

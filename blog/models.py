import hashlib
import html
import re
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from . import pagecache, sanitize


def free_slug(model, slug):
    """`slug`, or `slug-2`, `slug-3`… whichever no row of `model` has yet (cut to fit)."""
    limit = model._meta.get_field("slug").max_length
    slug = slug[:limit]
    taken = set(model.objects.filter(slug__startswith=slug).values_list("slug", flat=True))
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug[: limit - len(str(n)) - 1]}-{n}"
    return candidate


class PostQuerySet(models.QuerySet):
    def published(self):
        """Posts a reader may see: not drafts, and their publication time has come.

        A scheduled post is simply one dated in the future: it appears by itself when its
        time comes, with no background worker.
        """
        return self.filter(status=Post.Status.PUBLISHED, published__lte=timezone.now())

    def next_publication(self):
        """When the next scheduled post goes live, or None."""
        return (
            self.filter(status=Post.Status.PUBLISHED, published__gt=timezone.now())
            .order_by("published")
            .values_list("published", flat=True)
            .first()
        )

    def with_neighbours(self):
        """Annotate each post with the title, slug and date of the published posts just before
        and after it, in the same query (Post.older and Post.newer read them)."""
        published = Post.objects.published()
        sides = {
            "older": published.filter(published__lt=OuterRef("published")).order_by("-published"),
            "newer": published.filter(published__gt=OuterRef("published")).order_by("published"),
        }
        return self.annotate(
            **{
                f"{side}_{field}": Subquery(posts.values(field)[:1])
                for side, posts in sides.items()
                for field in ("title", "slug", "published")
            }
        )


class LabelManager(models.Manager):
    def named(self, name):
        """The label called `name` (in any case), created with a slug of its own if new."""
        name = name.strip()[:100]
        label = self.filter(name__iexact=name).first()
        if label is None:
            # A name with no letters a slug can hold ("日本") still needs an address.
            slug = slugify(name) or "label-" + hashlib.sha1(name.encode()).hexdigest()[:8]
            label = self.create(name=name, slug=free_slug(Label, slug))
        return label

    def in_use(self):
        """Labels of published posts, each with the `count` of those posts and the date of the
        `newest`: a label only drafts carry is not in use."""
        return (
            self.filter(posts__in=Post.objects.published())
            .annotate(count=Count("posts"), newest=Max("posts__published"))
            .order_by("name")  # Meta.ordering does not reach a query that groups
        )


class Label(models.Model):
    """A tag on posts, as Blogger calls them."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    objects = LabelManager()

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:label", args=[self.slug])


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("published (or scheduled, when dated in the future)")

    class Commenting(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        CLOSING = "closing", _("open, closing after some days")

    class Policy(models.TextChoices):
        # The names moderation.policy knows; blank follows the blog's MODERATION_POLICY.
        BLOG = "", _("the blog's setting")
        HOLD_ALL = "hold-all", _("hold every comment")
        HOLD_FLAGGED = "hold-flagged", _("hold flagged comments")
        HOLD_FIRST_TIME = "hold-first-time", _("hold flagged comments and first-time commenters")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    body = models.TextField(_("text"), help_text=_("Markdown."))
    body_html = models.TextField(_("text as HTML"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PUBLISHED)
    published = models.DateTimeField(
        _("published"),
        default=timezone.now,
        db_index=True,
        help_text=_("A date in the future schedules the post: it appears by itself then."),
    )
    labels = models.ManyToManyField(
        Label, blank=True, related_name="posts", verbose_name=_("labels")
    )
    commenting = models.CharField(
        _("comments"), max_length=10, choices=Commenting, default=Commenting.CLOSING
    )
    close_after_days = models.PositiveIntegerField(
        _("close after days"),
        null=True,
        blank=True,
        help_text=_("For “closing after some days”; empty: the blog's COMMENTS_CLOSE_AFTER_DAYS."),
    )
    moderation_policy = models.CharField(
        _("moderation policy"), max_length=20, choices=Policy, blank=True
    )
    # Where an imported post came from (its id in the export), so that importing twice
    # changes nothing.
    origin = models.CharField(_("origin"), max_length=300, blank=True, editable=False)

    objects = PostQuerySet.as_manager()

    # The page cache's tags (blog/pagecache.py) for what a page shows: any post ("posts": the
    # lists, the links between posts), any post's comments ("comments": counts, feeds), and one
    # post's own page, its thread included.
    POSTS_TAG = "posts"
    COMMENTS_TAG = "comments"

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published"]
        constraints = [
            models.UniqueConstraint(
                fields=["origin"], condition=~models.Q(origin=""), name="post_origin_once"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        local = timezone.localtime(self.published)
        return reverse(
            "blog:post",
            kwargs={"year": f"{local.year:04d}", "month": f"{local.month:02d}", "slug": self.slug},
        )

    @staticmethod
    def page_tag(slug):
        """The page-cache tag of the page of the post at `slug`."""
        return f"post:{slug}"

    def cache_tags(self):
        """The page-cache tags of every page that shows this post: its own and the lists."""
        return [Post.POSTS_TAG, Post.page_tag(self.slug)]

    @property
    def image(self):
        """The address of the post's first image, as written in it (maybe relative), or ""."""
        found = re.search(r'<img\s[^>]*?\bsrc="([^"]*)"', self.body_html)
        return html.unescape(found[1]) if found else ""

    @property
    def older(self):
        """The published post before this one, from with_neighbours() (None at the start)."""
        return self._neighbour("older")

    @property
    def newer(self):
        return self._neighbour("newer")

    def _neighbour(self, side):
        slug = getattr(self, f"{side}_slug", None)
        if slug is None:
            return None
        return Post(
            title=getattr(self, f"{side}_title"),
            slug=slug,
            published=getattr(self, f"{side}_published"),
        )

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.published <= timezone.now()

    @property
    def comments_close(self):
        """When comments close, or None: never (or closed by hand, see comments_are_open)."""
        if self.commenting != self.Commenting.CLOSING:
            return None
        days = self.close_after_days
        if days is None:
            days = settings.COMMENTS_CLOSE_AFTER_DAYS
        return self.published + timedelta(days=days) if days else None

    def comments_are_open(self):
        if self.commenting == self.Commenting.CLOSED:
            return False
        return self.comments_close is None or timezone.now() < self.comments_close

    def lock(self):
        """Take this post's row lock until the transaction ends (PostgreSQL; SQLite's
        IMMEDIATE transactions already let one writer in at a time)."""
        list(Post.objects.select_for_update().filter(pk=self.pk).values_list("pk"))


class PreviousAddressManager(models.Manager):
    def post_at(self, path):
        """The post that once answered at `path`, if it is public now; else None."""
        previous = self.select_related("post").filter(path=path).first()
        return previous.post if previous and previous.post.is_public else None


class PreviousAddress(models.Model):
    """An address a post answered at before (an older slug or date, an imported blog's
    permalink): it answers with a permanent redirect to wherever the post is now."""

    path = models.CharField(
        _("path"), max_length=500, unique=True, help_text=_("Such as /2009/11/old-slug/")
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="previous_addresses", verbose_name=_("post")
    )

    objects = PreviousAddressManager()

    class Meta:
        verbose_name = _("previous address")
        verbose_name_plural = _("previous addresses")

    def __str__(self):
        return f"{self.path} → {self.post}"


@receiver(pre_save, sender=Post)
def render_post(sender, instance, raw=False, **kwargs):
    # A receiver rather than save(), so that loaddata (which skips save()) renders fixtures too.
    instance.body_html = sanitize.post_html(instance.body)
    if not raw and instance.pk:
        _keep_previous_address(instance)


def _keep_previous_address(post):
    before = Post.objects.filter(pk=post.pk).first()
    if before is None or not before.is_public:
        return  # a draft's address was never given out
    old, new = before.get_absolute_url(), post.get_absolute_url()
    if old != new:
        PreviousAddress.objects.update_or_create(path=old, defaults={"post": post})
        PreviousAddress.objects.filter(path=new).delete()  # back at an old address


@receiver(post_save, sender=Post)
@receiver(post_delete, sender=Post)
def refresh_pages(sender, instance, **kwargs):
    pagecache.touch(*instance.cache_tags())

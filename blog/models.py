from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from . import pagecache, sanitize


class PostQuerySet(models.QuerySet):
    def published(self):
        """Posts a reader may see: those whose publication time has come."""
        return self.filter(published__lte=timezone.now())

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


class Label(models.Model):
    """A tag on posts, as Blogger calls them."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:label", args=[self.slug])


class Post(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(editable=False)
    published = models.DateTimeField(default=timezone.now, db_index=True)
    labels = models.ManyToManyField(Label, blank=True, related_name="posts")

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        local = timezone.localtime(self.published)
        return reverse(
            "blog:post",
            kwargs={"year": f"{local.year:04d}", "month": f"{local.month:02d}", "slug": self.slug},
        )

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
    def comments_close(self):
        """When comments close (COMMENTS_CLOSE_AFTER_DAYS after publication), or None: never."""
        days = settings.COMMENTS_CLOSE_AFTER_DAYS
        return self.published + timedelta(days=days) if days else None

    def comments_are_open(self):
        return self.comments_close is None or timezone.now() < self.comments_close

    def lock(self):
        """Take this post's row lock until the transaction ends (PostgreSQL; SQLite's
        IMMEDIATE transactions already let one writer in at a time)."""
        list(Post.objects.select_for_update().filter(pk=self.pk).values_list("pk"))


@receiver(pre_save, sender=Post)
def render_post(sender, instance, **kwargs):
    # A receiver rather than save(), so that loaddata (which skips save()) renders fixtures too.
    instance.body_html = sanitize.post_html(instance.body)


@receiver(post_save, sender=Post)
@receiver(post_delete, sender=Post)
def refresh_pages(sender, instance, **kwargs):
    pagecache.touch("posts", f"post:{instance.slug}")

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from . import pagecache, sanitize


class PostQuerySet(models.QuerySet):
    def published(self):
        """Posts a reader may see: those whose publication time has come."""
        return self.filter(published__lte=timezone.now())


class Label(models.Model):
    """A tag on posts, as Blogger calls them."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


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

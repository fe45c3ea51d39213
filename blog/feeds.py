from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .models import Post


def tag_uri(when, specific):
    """A tag: URI (RFC 4151) for an entry, on SITE_URL's host as of `when`: an entry's id stays
    the same whatever Host header a feed reader's request came with."""
    host = urlsplit(settings.SITE_URL).hostname
    return f"tag:{host},{when.astimezone(UTC):%Y-%m-%d}:{specific}"


class LatestPosts(Feed):
    """The newest posts, as Atom."""

    feed_type = Atom1Feed
    link = reverse_lazy("blog:index")

    def title(self):
        return settings.BLOG_TITLE

    def subtitle(self):
        return _("Posts on %(blog)s") % {"blog": settings.BLOG_TITLE}

    def feed_guid(self):
        return settings.SITE_URL + reverse("feed-posts")

    def author_name(self):
        return settings.BLOG_AUTHOR

    def items(self):
        return Post.objects.published().prefetch_related("labels")[:20]

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        return post.body_html

    def item_guid(self, post):
        # By the post's number rather than its address: a post renamed is still the same entry.
        return tag_uri(post.published, f"/posts/{post.pk}")

    def item_author_name(self, post):
        return settings.BLOG_AUTHOR

    def item_pubdate(self, post):
        return post.published

    def item_updateddate(self, post):
        return post.published

    def item_categories(self, post):
        return [label.name for label in post.labels.all()]

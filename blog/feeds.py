from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from .models import Post


class LatestPosts(Feed):
    """The newest posts, as Atom."""

    feed_type = Atom1Feed
    link = reverse_lazy("blog:index")

    def title(self):
        return settings.BLOG_TITLE

    def subtitle(self):
        return f"Posts on {settings.BLOG_TITLE}"

    def items(self):
        return Post.objects.published().prefetch_related("labels")[:20]

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        return post.body_html

    def item_pubdate(self, post):
        return post.published

    def item_updateddate(self, post):
        return post.published

    def item_categories(self, post):
        return [label.name for label in post.labels.all()]

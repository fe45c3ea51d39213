from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from blog.feeds import LatestPosts, tag_uri
from blog.models import Post

from .models import Comment

LENGTH = 50


class ThreadedAtom(Atom1Feed):
    """Atom with the threading extension (RFC 4685): each entry links to the feed of its
    comments and says how many there are."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:thr": "http://purl.org/syndication/thread/1.0"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        count = str(item["comment_count"])
        replies = {"rel": "replies", "type": "application/atom+xml", "href": item["replies"]}
        handler.addQuickElement("link", "", {**replies, "thr:count": count})
        handler.addQuickElement("thr:total", count)


class ThreadedPosts(LatestPosts):
    """The newest posts, as Atom, each with its number of published comments and their feed."""

    feed_type = ThreadedAtom

    def items(self):
        posts = list(super().items())
        counts = Comment.objects.published().count_per_post(posts)
        for post in posts:
            post.comment_count = counts.get(post.pk, 0)
        return posts

    def item_extra_kwargs(self, post):
        replies = settings.SITE_URL + reverse("feed-post-comments", args=[post.pk])
        return {"comment_count": post.comment_count, "replies": replies}


class LatestComments(Feed):
    """The newest published comments on every post, as Atom."""

    feed_type = Atom1Feed
    link = reverse_lazy("blog:index")

    def title(self):
        return _("Comments on %(blog)s") % {"blog": settings.BLOG_TITLE}

    def feed_guid(self):
        return settings.SITE_URL + reverse("feed-comments")

    def author_name(self):
        # Atom wants an author for the feed; each entry names its own, which wins.
        return settings.BLOG_AUTHOR

    def items(self):
        return Comment.objects.published().select_related("post").order_by("-created")[:LENGTH]

    def item_title(self, comment):
        return _("%(author)s on “%(title)s”") % {
            "author": comment.author,
            "title": comment.post.title,
        }

    def item_description(self, comment):
        return comment.body_html

    def item_link(self, comment):
        return comment.get_absolute_url()

    def item_guid(self, comment):
        return tag_uri(comment.created, comment.get_absolute_url())

    def item_author_name(self, comment):
        return comment.author

    def item_pubdate(self, comment):
        return comment.created

    def item_updateddate(self, comment):
        return comment.created


class PostComments(LatestComments):
    """The newest published comments on one post, as Atom."""

    def get_object(self, request, post_id):
        return get_object_or_404(Post.objects.published(), pk=post_id)

    def title(self, post):
        return _("Comments on “%(title)s”") % {"title": post.title}

    def link(self, post):
        return post.get_absolute_url()

    def feed_guid(self, post):
        return settings.SITE_URL + reverse("feed-post-comments", args=[post.pk])

    def items(self, post):
        return post.comments.published().select_related("post").order_by("-created")[:LENGTH]

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from blog.models import Post

from .models import Comment

LENGTH = 50


class LatestComments(Feed):
    """The newest published comments on every post, as Atom."""

    feed_type = Atom1Feed
    link = reverse_lazy("blog:index")

    def title(self):
        return f"Comments on {settings.BLOG_TITLE}"

    def items(self):
        return Comment.objects.published().select_related("post").order_by("-created")[:LENGTH]

    def item_title(self, comment):
        return f"{comment.author} on “{comment.post.title}”"

    def item_description(self, comment):
        return comment.body_html

    def item_link(self, comment):
        return comment.get_absolute_url()

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
        return f"Comments on “{post.title}”"

    def link(self, post):
        return post.get_absolute_url()

    def items(self, post):
        return post.comments.published().select_related("post").order_by("-created")[:LENGTH]

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from blog.models import Post
from blog.pagecache import cached_page
from blog.sitemaps import ListSitemap, PostSitemap
from comments import views as comment_views
from comments.feeds import LatestComments, PostComments, ThreadedPosts

from . import views

# The feeds show posts and their comments; none is kept past the next scheduled post's time.
feed_page = cached_page(
    tags=lambda **kwargs: [Post.POSTS_TAG, Post.COMMENTS_TAG],
    fresh_until=Post.objects.next_publication,
)

handler400 = views.bad_request

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
    path(
        "feeds/posts/",
        feed_page(ThreadedPosts()),
        name="feed-posts",
    ),
    path(
        "feeds/comments/",
        feed_page(LatestComments()),
        name="feed-comments",
    ),
    path(
        "feeds/comments/<int:post_id>/",
        feed_page(PostComments()),
        name="feed-post-comments",
    ),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"lists": ListSitemap, "posts": PostSitemap}},
        name="sitemap",
    ),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("search/", comment_views.search_page, name="search"),
    path("comments/", include("comments.urls")),
    path("moderation/", include("moderation.urls")),
    path("", include("blog.urls")),
]

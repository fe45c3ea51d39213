from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from .models import Post
from .pagecache import cached_page


@cached_page(tags=lambda: ["posts", "comments"])
def index(request):
    posts = Post.objects.published()[:10]
    return render(request, "blog/index.html", {"posts": posts})


@cached_page(tags=lambda year, month, slug: ["posts", f"post:{slug}"])
def post_detail(request, year, month, slug):
    post = _published_post(year, month, slug)
    return render(request, "blog/post_detail.html", {"post": post})


def blogger_permalink(request, year, month, slug):
    """Answer Blogger's old `.html` permalinks with a permanent redirect to ours."""
    return redirect(_published_post(year, month, slug), permanent=True)


def _published_post(year, month, slug):
    # By the unique slug (an index lookup), then the date in Python: extracting the year and
    # month in SQL would defeat the index.
    post = get_object_or_404(Post.objects.published(), slug=slug)
    published = timezone.localtime(post.published)
    if (published.year, published.month) != (int(year), int(month)):
        raise Http404("No post at that address.")
    return post

from django.shortcuts import get_object_or_404, redirect, render

from .models import Post
from .pagecache import cached_page


@cached_page(tags=lambda: ["posts", "comments"])
def index(request):
    posts = Post.objects.published()[:10]
    return render(request, "blog/index.html", {"posts": posts})


@cached_page(tags=lambda year, month, slug: ["posts", f"post:{slug}"])
def post_detail(request, year, month, slug):
    post = get_object_or_404(
        Post.objects.published(), published__year=year, published__month=month, slug=slug
    )
    return render(request, "blog/post_detail.html", {"post": post})


def blogger_permalink(request, year, month, slug):
    """Answer Blogger's old `.html` permalinks with a permanent redirect to ours."""
    post = get_object_or_404(
        Post.objects.published(), published__year=year, published__month=month, slug=slug
    )
    return redirect(post, permanent=True)

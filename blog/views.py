from datetime import date

from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Label, Post, PreviousAddress
from .pagecache import cached_page

POSTS_PER_PAGE = 10
# What a list of posts shows: posts, with their numbers of comments.
LISTS = [Post.POSTS_TAG, Post.COMMENTS_TAG]
# A scheduled post appears by itself when its time comes: no page is kept past then.
NEXT_POST = Post.objects.next_publication


def _listing(request, posts, template, empty_is_404=False, **context):
    page = Paginator(posts.prefetch_related("labels"), POSTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    if request.GET.get("page") not in (None, str(page.number)):
        raise Http404("No such page.")
    if empty_is_404 and not page.object_list:
        # A year or month with no posts has no page: ten thousand empty years are not pages
        # to render, or to keep in the cache.
        raise Http404("No posts then.")
    return render(request, template, {"page": page, "posts": page.object_list, **context})


@cached_page(tags=lambda: LISTS, paged=True, fresh_until=NEXT_POST)
def index(request):
    return _listing(request, Post.objects.published(), "blog/index.html")


@cached_page(tags=lambda: [Post.POSTS_TAG], fresh_until=NEXT_POST)
def archive(request):
    """Years and months with their number of posts, newest first, as Blogger's archive."""
    months = (
        Post.objects.published()
        .annotate(month=TruncMonth("published"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")
    )
    years = {}
    for row in months:
        years.setdefault(row["month"].year, []).append(row)
    return render(request, "blog/archive.html", {"years": years})


@cached_page(tags=lambda year: LISTS, paged=True, fresh_until=NEXT_POST)
def year_archive(request, year):
    posts = Post.objects.published().filter(published__year=year)
    return _listing(
        request,
        posts,
        "blog/post_list.html",
        empty_is_404=True,
        heading=str(year),
        description=_("Posts from %(when)s") % {"when": year},
    )


@cached_page(tags=lambda year, month: LISTS, paged=True, fresh_until=NEXT_POST)
def month_archive(request, year, month):
    if not 1 <= int(month) <= 12:
        raise Http404("No such month.")
    posts = Post.objects.published().filter(published__year=year, published__month=month)
    heading = date_format(date(int(year), int(month), 1), "YEAR_MONTH_FORMAT")
    return _listing(
        request,
        posts,
        "blog/post_list.html",
        empty_is_404=True,
        heading=heading,
        description=_("Posts from %(when)s") % {"when": heading},
    )


@cached_page(tags=lambda: [Post.POSTS_TAG], fresh_until=NEXT_POST)
def labels(request):
    """Every label in use, with its number of published posts."""
    return render(request, "blog/labels.html", {"labels": Label.objects.in_use()})


@cached_page(tags=lambda slug: LISTS, paged=True, fresh_until=NEXT_POST)
def label(request, slug):
    label = get_object_or_404(Label, slug=slug)
    posts = Post.objects.published().filter(labels=label)
    if not posts.exists():
        # A label only drafts (or scheduled posts) carry would tell readers what is coming.
        raise Http404("No posts with that label.")
    heading = _("Posts labelled %(label)s") % {"label": label}
    return _listing(request, posts, "blog/post_list.html", heading=heading, description=heading)


@cached_page(
    tags=lambda year, month, slug: [Post.POSTS_TAG, Post.page_tag(slug)],
    paged=True,
    fresh_until=NEXT_POST,
)
def post_detail(request, year, month, slug):
    post = _published_post(year, month, slug, request.user)
    image = request.build_absolute_uri(post.image) if post.image else ""
    response = render(request, "blog/post_detail.html", {"post": post, "image": image})
    # Once comments close, the form gives way to a notice: no cached copy outlives the form.
    response.fresh_until = post.comments_close
    return response


def blogger_permalink(request, year, month, slug):
    """Answer Blogger's old `.html` permalinks with a permanent redirect to ours."""
    try:
        return redirect(_published_post(year, month, slug), permanent=True)
    except Http404:
        # The post's slug changed since: its old address, in our form, may be known.
        post = PreviousAddress.objects.post_at(f"/{year}/{month}/{slug}/")
        if post is None:
            raise
        return redirect(post, permanent=True)


def _published_post(year, month, slug, user=None):
    # By the unique slug (an index lookup), then the date in Python: extracting the year and
    # month in SQL would defeat the index. The owner also sees drafts and scheduled posts there:
    # that is their preview.
    posts = Post.objects.all() if user and user.is_staff else Post.objects.published()
    post = get_object_or_404(posts.with_neighbours().prefetch_related("labels"), slug=slug)
    published = timezone.localtime(post.published)
    if (published.year, published.month) != (int(year), int(month)):
        raise Http404("No post at that address.")
    return post

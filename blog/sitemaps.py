from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import TruncMonth
from django.urls import reverse

from .models import Label, Post


class PostSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Post.objects.published()

    def lastmod(self, post):
        return post.published


class ListSitemap(Sitemap):
    """The pages that list posts: home, the archive, every year, month and label, each last
    changed when its newest post was published."""

    changefreq = "weekly"

    def items(self):
        published = Post.objects.published()
        newest = published.aggregate(newest=Max("published"))["newest"]
        if newest is None:
            return []
        pages = [(reverse(name), newest) for name in ("blog:index", "blog:archive", "blog:labels")]
        months = (
            published.annotate(month=TruncMonth("published"))
            .values("month")
            .annotate(newest=Max("published"))
            .order_by("-month")
        )
        years = {}
        for row in months:
            month, newest = row["month"], row["newest"]
            years[month.year] = max(years.get(month.year, newest), newest)
            pages.append((reverse("blog:month", args=[f"{month:%Y}", f"{month:%m}"]), newest))
        pages += [(reverse("blog:year", args=[f"{year:04d}"]), n) for year, n in years.items()]
        pages += [(label.get_absolute_url(), label.newest) for label in Label.objects.in_use()]
        return pages

    def location(self, page):
        return page[0]

    def lastmod(self, page):
        return page[1]

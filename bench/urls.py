from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as blog_urlpatterns


def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


def sized(request, size):
    """As trivial, but `size` bytes long: what moving a page's bytes costs, without the page."""
    return HttpResponse(b"x" * min(size, 2**20), content_type="text/html; charset=utf-8")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/sized/<int:size>/", sized),
    *blog_urlpatterns,
]

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as blog_urlpatterns


def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), *blog_urlpatterns]

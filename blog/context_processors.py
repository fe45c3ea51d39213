from django.conf import settings


def blog(request):
    return {"blog_title": settings.BLOG_TITLE, "blog_author": settings.BLOG_AUTHOR}

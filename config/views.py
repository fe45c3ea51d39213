import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """200 while the database answers, 503 when it does not; each part named, ok or failing.

    A failing cache is named but still 200: it only saves work (config/cache.py), and a load
    balancer that dropped every server whose Redis failed would turn a slower blog into none.
    """
    checks = {"database": _database, "cache": _cache}
    status = {}
    for name, check in checks.items():
        try:
            check()
            status[name] = "ok"
        except Exception as error:  # any failure of the part is the answer, not a 500
            status[name] = f"failing: {error.__class__.__name__}"
    return JsonResponse(status, status=200 if status["database"] == "ok" else 503)


def favicon(request):
    """/favicon.ico, which feed readers and crawlers ask for whatever a page's <link rel=icon>
    says: a redirect to the icon under its (hashed) static name."""
    response = redirect(static("blog/favicon.ico"))
    patch_cache_control(response, max_age=86_400)
    return response


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 5)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not keep a value")
    cache.delete(key)


def bad_request(request, exception):
    """The 400 page, saying in general terms what was wrong with the request.

    Unlike Django's own, it does not check a CSRF token first: that reads the form again, and a
    form that could not be read the first time (sent as Latin-1, say) would turn the 400 into a
    500. The page has no form that needs the token.
    """
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        reason = "too large"
    elif isinstance(exception, DisallowedHost):
        reason = "host"
    elif "UTF-8" in str(exception):
        reason = "encoding"
    else:
        reason = "malformed"
    context = {"reason": reason, "max_length": settings.COMMENTS_MAX_LENGTH}
    return render(request, "400.html", context, status=400)

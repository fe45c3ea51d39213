"""Protection from forged cross-site requests for a form anonymous readers send, with no token.

A page carrying a per-reader CSRF token cannot be one page for every reader, so the comment form
on an anonymous reader's page carries none. What a forged request needs instead is a browser, and
browsers say where a request comes from: `Sec-Fetch-Site` (Fetch Metadata, in every current
browser) or, before it, `Origin`. This is Go 1.25's http.CrossOriginProtection and OWASP's Fetch
Metadata guidance; README, "Forms and forged requests", says why it is enough here.
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def cross_origin_protection(view):
    """Refuse the view's unsafe requests that a browser sent from another site, with a 403 page.

    Requests from signed-in people also need Django's CSRF token: their session is what a forger
    would borrow. Put it under @csrf_exempt, which leaves anonymous requests to this check alone.
    """
    with_token = csrf_protect(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in SAFE_METHODS and from_another_site(request):
            return render(request, "comments/cross_site.html", status=403)
        if request.user.is_authenticated:
            return with_token(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper


def from_another_site(request):
    """Whether the browser that sent `request` says it was sent from a page of another site."""
    origin = request.headers.get("Origin")
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return False
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        # "none" is the reader's own doing (a bookmark, the address bar); "same-site" is a
        # sibling subdomain, which is another site's page all the same.
        return fetch_site not in ("same-origin", "none")
    if origin is None:
        # Neither header: no browser sent this, so it carries no reader's cookies to abuse; it
        # meets the spam checks and the rate limit like any other comment.
        return False
    return origin != f"{request.scheme}://{request.get_host()}"

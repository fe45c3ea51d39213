"""Whole pages for anonymous readers, kept in the shared cache until what they show changes.

Each page names the things it shows as tags ("posts", "post:<slug>", "comments"). A tag's
version lives in the cache beside the pages, and a stored page remembers the versions of its
tags when it was rendered: `touch("post:x")` gives the tag a new version, so every page showing
post x is rendered afresh on its next request, on every app server sharing the cache. A page and
its tags' versions are read together, in one round trip to the cache.

Only anonymous GETs with no message waiting are served from the cache, and only pages that set
no cookie are kept: such a page holds nothing of one reader's (its comment form carries no CSRF
token, comments/crossorigin.py), so every reader gets the same bytes. Pages are kept per scheme,
host, path and page number (a page names its own address), and language, so that a page kept
before LANGUAGE_CODE changed is not served after it. A view whose pages change by
themselves at a known time (the next scheduled post) says when through `fresh_until`, and a
page that does (its comments closing) sets `response.fresh_until`; no copy is kept past then.

Each worker also keeps the pages it served last in its own memory (PAGE_CACHE_LOCAL_PAGES of
them, the least recently served dropped first), and serves them without asking the shared cache
for PAGE_CACHE_CHECK_MS after it last did; then it reads their tags' versions again (one round
trip, without the page's bytes), and fetches the page only if one changed. A change made through
this worker forgets its copies at once; one made through another reaches it within
PAGE_CACHE_CHECK_MS.

The tags are the models' (`Post.cache_tags()`, `Comment.cache_tags()`), and the cookies that make
a page one reader's are named by the apps that set them (`personal_cookie()`): this module knows
no model and no app.
"""

import hashlib
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import get_language

# Query parameters that select a different page; any other makes the request uncacheable,
# so that made-up query strings cannot fill the cache.
_PAGE_PARAMETERS = {"page"}
# How long a cache in front may go on serving a page past its second while one request renders
# it afresh, so that a burst of readers waits for no render.
STALE_SECONDS = 10
_NUMBER = re.compile(r"[1-9][0-9]{0,5}")
logger = logging.getLogger(__name__)
# Cookies that make a page one reader's (a message for them alone, besides the session): apps
# add theirs with personal_cookie().
_personal_cookies = {CookieStorage.cookie_name}


def personal_cookie(name):
    """Give a request carrying the cookie `name` pages of its own, never served from or kept in
    any cache."""
    _personal_cookies.add(name)


def touch(*tags):
    """Mark the pages showing `tags` as changed, everywhere the cache is shared."""
    _new_versions(tags)
    # A reader between now and the commit still sees the old rows, and would keep them under
    # the new version: a second new version once the rows are visible makes that copy stale.
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _new_versions(tags))


def _new_versions(tags):
    _forget_copies(tags)
    cache.set_many({_tag_key(tag): uuid.uuid4().hex for tag in tags}, timeout=None)


def cached_page(tags, paged=False, fresh_until=None):
    """Serve a view's anonymous GETs from the cache; `tags(**view_kwargs)` names what it shows,
    and `fresh_until()`, if given, when its pages change by themselves (or None).

    Its responses tell caches in front who may keep them: anyone, for a second, when they are
    the page every anonymous reader gets; no one, when they are one person's. A `paged` view
    takes `?page=` with a page number written plainly (2, never 02); any other `page`, and any
    `page` at all on a view that is not paged, is a 404.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            number = _page_number(request, paged)
            names = tags(**kwargs)
            if settings.PAGE_CACHE and request.method == "GET" and _for_everyone(request):
                key = _page_key(request, number)
                response = _from_cache(request, key, names, fresh_until, view, args, kwargs)
            else:
                response = view(request, *args, **kwargs)
            _say_who_may_keep(request, response, names)
            return response

        return wrapper

    return decorator


def _from_cache(request, key, names, fresh_until, view, args, kwargs):
    tag_keys = [_tag_key(tag) for tag in names]
    copy = _copy(key)
    if copy is not None:
        entry, checked = copy
        now = time.monotonic()
        if now - checked < settings.PAGE_CACHE_CHECK_MS / 1000:
            return _hit(entry)
        found = cache.get_many(tag_keys)
        if [found.get(tag_key) for tag_key in tag_keys] == entry["versions"]:
            _keep_copy(key, names, entry, now)
            return _hit(entry)
        # Changed (or the cache lost its versions): the page's bytes too, then, which another
        # server may have rendered afresh already.
        _forget_copy(key)
        found[key] = cache.get(key)
    else:
        found = cache.get_many([key, *tag_keys])
    entry = found.get(key)
    try:
        versions = _versions(found, tag_keys)
    except Exception:
        # A cache that takes no writes (full, with no eviction) serves no page it would have to
        # store a version for; the reader still gets theirs, rendered.
        logger.exception("The page cache could not store a tag's version")
        versions = None
    if entry is not None and entry["versions"] == versions:
        # Only a page the shared cache gave, with versions it had: a copy of one it never took
        # (out of reach, full) could not learn of changes made through other servers.
        _keep_copy(key, names, entry, time.monotonic())
        return _hit(entry)
    response = view(request, *args, **kwargs)
    if versions is not None and _storable(response):
        # The versions read before rendering: a change made meanwhile makes the next request a
        # miss, never a stale hit.
        limits = [getattr(response, "fresh_until", None), fresh_until and fresh_until()]
        timeout = _timeout(limits)
        entry = _entry(response, versions, time.time() + timeout)
        try:
            cache.set(key, entry, timeout)
        except Exception:
            logger.exception("The page cache could not store a page")
        _label(response, entry)
    response["X-Cache"] = "miss"
    return response


def _hit(entry):
    response = _response(entry)
    response["X-Cache"] = "hit"
    return response


# This worker's copies: page key -> (tags, entry, when their versions were last read), the least
# recently served first. A lock, for servers that run a worker's requests in threads.
_copies = OrderedDict()
_copies_lock = threading.Lock()


def _copy(key):
    """This worker's (entry, last checked) for the page at `key`, or None."""
    with _copies_lock:
        copy = _copies.get(key)
        if copy is None:
            return None
        _, entry, checked = copy
        if entry.get("expires", 0) <= time.time():  # kept no longer than the shared cache keeps it
            del _copies[key]
            return None
        _copies.move_to_end(key)
        return entry, checked


def _keep_copy(key, names, entry, checked):
    if settings.PAGE_CACHE_LOCAL_PAGES <= 0:
        return
    with _copies_lock:
        _copies[key] = (frozenset(names), entry, checked)
        _copies.move_to_end(key)
        while len(_copies) > settings.PAGE_CACHE_LOCAL_PAGES:
            _copies.popitem(last=False)


def _forget_copy(key):
    with _copies_lock:
        _copies.pop(key, None)


def _forget_copies(tags):
    with _copies_lock:
        for key in [key for key, (names, _, _) in _copies.items() if not names.isdisjoint(tags)]:
            del _copies[key]


def forget_copies():
    """Forget this worker's copies of pages, as after emptying the shared cache by hand."""
    with _copies_lock:
        _copies.clear()


def _for_everyone(request):
    """Whether the page asked for is the one every anonymous reader gets."""
    return (
        set(request.GET) <= _PAGE_PARAMETERS
        # A session means a logged-in owner (always fresh pages).
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and _personal_cookies.isdisjoint(request.COOKIES)
    )


def _say_who_may_keep(request, response, names):
    # What a cache between the blog and its readers (README: nginx's proxy_cache, a CDN) may
    # keep: an anonymous page, for one second, named by its tags for a purge; one person's
    # page, nowhere.
    if not _for_everyone(request) or response.cookies:
        response["Cache-Control"] = "private, no-store"
    elif response.status_code == 200 and request.method in ("GET", "HEAD"):
        # max-age=0: a browser asks again each time (a 304 with the ETag), so a reader never
        # sees their own browser's old copy of a page that changed.
        response["Cache-Control"] = (
            f"public, max-age=0, s-maxage=1, stale-while-revalidate={STALE_SECONDS}"
        )
        response["Surrogate-Key"] = " ".join(names)


def _storable(response):
    # A cookie is one reader's: a page that sets one is theirs alone.
    return response.status_code == 200 and not response.cookies


def _timeout(limits):
    now = timezone.now()
    timeout = settings.PAGE_CACHE_TIMEOUT
    for until in limits:
        if until is not None and until > now:
            timeout = min(timeout, int((until - now).total_seconds()) + 1)
    return timeout


def _page_number(request, paged):
    pages = request.GET.getlist("page")
    if not pages:
        return None
    # ASCII digits only, without a leading zero or a length no blog reaches: each other way of
    # writing a number ("02", "%32", "٢") would otherwise be a page of its own in the cache.
    if not paged or len(pages) > 1 or not _NUMBER.fullmatch(pages[0]):
        raise Http404("No such page.")
    return int(pages[0])


def _page_key(request, number):
    # The decoded path and the page's number, never the query string as sent, so that one page
    # is one entry however its address is written.
    address = f"{request.scheme}://{request.get_host()}{request.path}?page={number or 1}"
    address += f" in {get_language()}"
    # "v2": entries carry when they expire, which a worker's copy needs; those kept before did not.
    return "pagecache:page:v2:" + hashlib.sha256(address.encode()).hexdigest()


def _versions(found, tag_keys):
    missing = {key: uuid.uuid4().hex for key in tag_keys if key not in found}
    if missing:  # new, or evicted: a fresh version can only cause a miss, never a stale hit
        cache.set_many(missing, timeout=None)
    return [found.get(key) or missing[key] for key in tag_keys]


def _tag_key(tag):
    return f"pagecache:tag:{tag}"


def _entry(response, versions, expires):
    content = response.content
    return {
        "versions": versions,
        "expires": expires,
        "content": content,
        "content_type": response["Content-Type"],
        "etag": '"' + hashlib.md5(content, usedforsecurity=False).hexdigest() + '"',
        "last_modified": http_date(time.time()),
    }


def _response(entry):
    response = HttpResponse(entry["content"], content_type=entry["content_type"])
    _label(response, entry)
    return response


def _label(response, entry):
    # ETag and Last-Modified let ConditionalGetMiddleware answer a repeat visit with 304.
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = entry["last_modified"]

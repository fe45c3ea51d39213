"""Failed admin logins counted per username, from whatever address they come.

django-axes locks out an address after ADMIN_LOGIN_ATTEMPTS failures, which a guesser with many
addresses never reaches. So a username also has a budget: ADMIN_LOGIN_USERNAME_ATTEMPTS failures
in a day, from anywhere. Once it is spent, logging in as that username pauses after each failure,
for a minute at first and twice as long each time, up to ADMIN_LOCKOUT_MINUTES; a login ends it.
Counted in the shared cache, like the comment limit, so that it holds across app servers.
"""

import hashlib
import math
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

DAY = 24 * 60 * 60
FIRST_PAUSE = 60  # seconds


def seconds_paused(username):
    """How many seconds logging in as `username` is still paused for (0: it is not)."""
    until = cache.get(_key(username, "until"), 0)
    return max(0, math.ceil(until - time.time()))


def failed(username):
    """Count a failed login as `username`; past the budget, pause it for longer each time."""
    count = _key(username, "count")
    cache.add(count, 0, timeout=DAY)
    try:
        failures = cache.incr(count)
    except ValueError:  # expired between add and incr
        cache.set(count, 1, timeout=DAY)
        failures = 1
    over = failures - settings.ADMIN_LOGIN_USERNAME_ATTEMPTS
    if over >= 0:
        longest = settings.AXES_COOLOFF_TIME.total_seconds()
        pause = min(FIRST_PAUSE * 2 ** min(over, 32), longest)
        cache.set(_key(username, "until"), time.time() + pause, timeout=DAY)


def _key(username, what):
    # Case folded: "Owner" and "owner" spend one budget. Hashed: a username may hold anything.
    name = hashlib.sha256(username.casefold().encode()).hexdigest()
    return f"logins:{what}:{name}"


class PausedUsernameBackend:
    """Refuses a login as a paused username before any password is checked (after django-axes's
    backend, before ModelBackend); it authenticates nobody itself, and has no get_user() so that
    no session is ever its."""

    def authenticate(self, request, username=None, **credentials):
        if request is None or username is None:
            return None
        if not seconds_paused(username):
            request.login_counts = True  # the password is checked next: a failure counts
            return None
        request.login_paused = True
        # django-axes's middleware answers such a request with its lockout page (429).
        request.axes_locked_out = True
        request.axes_credentials = {"username": username}
        raise PermissionDenied


# Connected when Django loads the backend, which it does before any login can succeed or fail.
@receiver(user_login_failed)
def count_a_failure(sender, credentials, request=None, **kwargs):
    # Only a wrong password counts: a try refused unchecked (this username paused, or its
    # address locked out) guessed nothing, and would only lengthen the owner's wait.
    if getattr(request, "login_counts", False):
        failed(credentials["username"])


@receiver(user_logged_in)
def forget_the_failures(sender, request, user, **kwargs):
    username = user.get_username()
    cache.delete_many([_key(username, "count"), _key(username, "until")])

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """200 when the database and the cache answer; 503 naming the part that does not."""
    checks = {"database": _database, "cache": _cache}
    status = {}
    for name, check in checks.items():
        try:
            check()
            status[name] = "ok"
        except Exception as error:  # any failure of the part is the answer, not a 500
            status[name] = f"failing: {error.__class__.__name__}"
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(status, status=200 if healthy else 503)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 5)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not keep a value")
    cache.delete(key)

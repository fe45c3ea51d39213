"""Middleware that answers before Django's own would trip: health probes, HEAD, raw bytes."""

from django.core.exceptions import BadRequest

from . import views


class HealthzMiddleware:
    """Answer /healthz whatever Host the probe names.

    Load balancers and container probes ask by address (http://10.0.0.7:8000/healthz), not by
    the site's name, so CommonMiddleware's ALLOWED_HOSTS check, which this stands before, would
    answer them 400 and the server would be taken out of service. The answer names no host.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return views.healthz(request)
        return self.get_response(request)


class HeadMiddleware:
    """Send no body with an answer to HEAD.

    Django's WSGI handler sends the GET page's body; gunicorn drops it and logs a warning line
    for every HEAD (a monitor's uptime check, a link checker). The headers, Content-Length
    included, stay those of the GET.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                response.streaming_content = []
            else:
                response.content = b""
        return response


class Utf8FormMiddleware:
    """Refuse a form whose raw bytes are not UTF-8 with a 400.

    Django reads such a body as Latin-1 rather than fail, which would store "cafÃ©" for what
    was sent as "café" in another encoding; percent-encoded bytes that are not UTF-8 become
    U+FFFD instead, which the comment form refuses with a message beside the field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.content_type == "application/x-www-form-urlencoded":
            try:
                request.body.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest("The form was not sent as UTF-8.") from None
        return self.get_response(request)

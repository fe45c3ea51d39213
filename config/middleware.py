"""Middleware that answers before Django's own would trip (health probes, HEAD, raw bytes), and
what every response carries, whichever view or middleware made it."""

from django.conf import settings
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


# Browser features the blog never uses, refused for its pages and anything they might frame, so
# that even injected markup could not ask for the camera or the reader's location.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


class SecureResponseMiddleware:
    """Adds the Permissions-Policy header and, in production, marks every cookie Secure.

    Django's delete_cookie() marks Secure only names that begin with __Secure- or __Host-, so the
    cookies that delete the messages and the commenter cookies went out without it; a browser
    may refuse a deletion that is less secure than the cookie it deletes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if settings.SESSION_COOKIE_SECURE:
            for cookie in response.cookies.values():
                cookie["secure"] = True
        return response

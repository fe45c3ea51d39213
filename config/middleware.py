"""What every response carries, whichever view or middleware made it."""

from django.conf import settings

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

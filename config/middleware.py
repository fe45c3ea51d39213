"""Middleware that answers before Django's own would trip: health probes, HEAD, raw bytes."""

from django.core.exceptions import BadRequest


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

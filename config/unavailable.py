from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

RETRY_AFTER = 30


class DatabaseUnavailableMiddleware:
    """Answer 503 with a page that says to try again, rather than a 500, while the database
    cannot be reached; nothing half-written is kept, as each write is one transaction."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        response = HttpResponse(
            render_to_string("503.html", {"posting": request.method == "POST"}), status=503
        )
        response["Retry-After"] = str(RETRY_AFTER)
        return response

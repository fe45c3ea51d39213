from django.shortcuts import redirect

from .models import PreviousAddress


class PreviousAddressMiddleware:
    """Answer a 404 at an address a post had before with a permanent redirect to the post.

    As django.contrib.redirects does, but pointing at the post rather than at a path, so that
    a post renamed twice redirects from both old addresses to the current one in one hop.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        post = PreviousAddress.objects.post_at(request.path)
        return response if post is None else redirect(post, permanent=True)

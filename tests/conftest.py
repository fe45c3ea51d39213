import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.core.management import call_command

from blog.models import Post
from comments.models import Comment

POST_URL = "/2009/11/norwegian-study-offers-clues/"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a rolled-back test leaves no cached rows behind."""
    cache.clear()


@pytest.fixture
def seed(db):
    """The seed post and its fifteen comments, loaded the way `make run` loads them."""
    call_command("loaddata", "seed", verbosity=0)
    return Post.objects.get(slug="norwegian-study-offers-clues")


def html(response):
    """Parse a response as a browser would (HTML5 rules)."""
    return BeautifulSoup(response.content, "html5lib")


def comment_form_data(**overrides):
    data = {
        "author_name": "Ingrid",
        "author_email": "ingrid@example.org",
        "author_url": "",
        "body": "Thank you for the summary.",
        "parent": "",
    }
    data.update(overrides)
    return data


def post_comment(client, post, **overrides):
    return client.post(f"/comments/post/{post.pk}/", comment_form_data(**overrides))


def comment_number(n, post=None):
    qs = Comment.objects.filter(number=n)
    return (qs.filter(post=post) if post else qs).get()

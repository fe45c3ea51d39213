import email
import email.policy
import re

import pytest
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from servers import free_port

from blog import pagecache
from blog.models import Post
from comments.models import Comment

POST_URL = "/2009/11/norwegian-study-offers-clues/"


@pytest.fixture(autouse=True, scope="session")
def _test_server():
    """Production settings but four, which tests/test_deploy.py and test_page_cache.py check.

    Session-wide, so that it is in force before any live server builds its middleware.
    """
    caches = django_settings.CACHES
    if caches["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
        # In one process the local-memory cache is as shared as the database one; it keeps cache
        # reads out of the queries tests count, and out of tests with no database.
        # tests/test_embedded_workers.py runs the database cache across processes.
        caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(
        CACHES=caches,
        # The test client and the live server speak plain HTTP.
        SECURE_SSL_REDIRECT=False,
        # Pages are cached only where tests/test_page_cache.py says so, in a cache it empties.
        PAGE_CACHE=False,
        # Every test client posts from 127.0.0.1; tests/test_abuse.py turns the limit on.
        COMMENTS_PER_MINUTE=0,
        # Mail is sent as soon as it is queued, within the test: only tests/test_mail_queue.py
        # tests the queue itself, with the database backend and its worker.
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        # Production's hashed names need `collectstatic` first; tests render pages without it.
        STORAGES={
            **django_settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a rolled-back test leaves no cached rows behind."""
    cache.clear()
    pagecache.forget_copies()


@pytest.fixture
def seed(db):
    """The seed post and its fifteen comments, loaded the way `make run` loads them."""
    call_command("loaddata", "seed", verbosity=0)
    return Post.objects.get(slug="norwegian-study-offers-clues")


@pytest.fixture
def held(settings):
    """Every new comment is held, so that each test publishes when it wants."""
    settings.MODERATION_POLICY = "hold-all"


def html(response):
    """Parse a response as a browser would (HTML5 rules, the charset its header names)."""
    return BeautifulSoup(response.text, "html5lib")


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


def admin_action(client, changelist, action, *comments):
    """Run one of the admin's bulk actions on `comments` from a list of comments, answering yes
    to the page that "remove" asks first."""
    return client.post(
        changelist,
        {"action": action, "_selected_action": [c.pk for c in comments], "confirm": "yes"},
        follow=True,
    )


def comment_number(n, post=None):
    qs = Comment.objects.filter(number=n)
    return (qs.filter(post=post) if post else qs).get()


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted"


@pytest.fixture
def smtp():
    """A real SMTP server on loopback, for servers the test starts: its port, and the messages
    it took."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, handler.messages
    controller.stop()


@pytest.fixture
def inbox(settings):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.SITE_URL = "https://blog.example.org"
    yield handler.messages
    controller.stop()


def links_in(message, site="https://blog.example.org"):
    """The paths of this blog's links in an email, in order."""
    return [
        url.removeprefix(site)
        for url in re.findall(re.escape(site) + r"\S+", message.get_content())
    ]


def confirm_address(inbox):
    """Confirm an address the way its owner would: the link in the one email, then the button."""
    (request,) = inbox
    (link,) = links_in(request)
    browser = Client()
    assert browser.post(link).status_code == 200
    inbox.clear()

"""Mail leaves the request: posting queues the blog's emails as tasks in the database, and
`manage.py db_worker` sends them. A mail server that takes the connection and never answers
costs the poster nothing, and costs the worker EMAIL_TIMEOUT and a retry later, with nothing
lost: the claim on the mail is given back until a server has taken it.

Real parts: the database backend of django-tasks and its worker (run in-process, on committed
rows, hence transactional_db), a socket on loopback that accepts and says nothing, and the
aiosmtpd inbox of conftest.py once the server "answers again".
"""

import logging
import socket
import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from conftest import comment_number, links_in, post_comment
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments import notify
from comments.models import Comment, Subscriber, ThreadMail
from moderation.models import Decision, WaitingNotice
from moderation.notify import send_waiting


@pytest.fixture
def stalled_smtp():
    """An SMTP server that accepts every connection and never sends a word; yields its port
    and the connections it took."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    taken, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                taken.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], taken
    stop.set()
    thread.join()
    listener.close()
    for connection in taken:
        connection.close()


class Mail:
    """Where the worker's mail goes: the stalled server at first, the inbox once it answers."""

    def __init__(self, settings, stalled_port):
        self.settings, self.stalled_port = settings, stalled_port
        self.answering_port = settings.EMAIL_PORT

    def stalls(self):
        self.settings.EMAIL_PORT = self.stalled_port

    def answers(self):
        self.settings.EMAIL_PORT = self.answering_port


@pytest.fixture
def mail(transactional_db, settings, inbox, stalled_smtp):
    """The production queue (the database backend), and mail going to the stalled server."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_TIMEOUT = 0.5
    settings.MODERATION_POLICY = "hold-all"  # each test publishes when it wants
    mail = Mail(settings, stalled_smtp[0])
    mail.stalls()
    return mail


def run_worker():
    """`manage.py db_worker` until the queue has nothing ready, as the service runs it."""
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--interval=0",
        stdout=StringIO(),
    )


def queued():
    """(task name, arguments) of each task waiting in the queue, oldest first."""
    rows = DBTaskResult.objects.filter(status="READY").order_by("enqueued_at")
    return [(row.task_path.rsplit(".", 1)[1], row.args_kwargs) for row in rows]


def time_passes():
    """The retries' run_after comes: make every waiting task ready now."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def the_mail_window_passes(settings):
    """MODERATION_MAIL_WINDOW goes by: the owner's emails are that much older, and every task
    put off is due."""
    window = timedelta(seconds=settings.MODERATION_MAIL_WINDOW)
    WaitingNotice.objects.exclude(sent=None).update(sent=F("sent") - window)
    time_passes()


def publish(comment):
    Decision.objects.change(Comment.objects.filter(pk=comment.pk), "published")


def confirm(inbox):
    """Open the one email's confirmation link and press its button, as its reader would."""
    (request,) = inbox
    inbox.clear()
    (link,) = [url for url in links_in(request) if url.startswith("/comments/confirm/")]
    assert Client().post(link).status_code == 200


def test_posting_queues_the_mail_and_answers_at_once_with_the_mail_server_stalled(
    client, seed, settings, mail, stalled_smtp, inbox, caplog
):
    settings.OWNER_EMAIL = "owner@example.org"
    start = time.monotonic()
    response = post_comment(client, seed, notify="on")
    took = time.monotonic() - start

    assert response.status_code == 302
    assert took < 0.5, f"the POST took {took:.2f} s"
    comment, subscriber = comment_number(16), Subscriber.objects.get()
    assert sorted(queued()) == [
        ("send_confirmation_request", {"args": [subscriber.pk], "kwargs": {}}),
        ("send_waiting", {"args": [comment.pk], "kwargs": {}}),
    ]
    assert stalled_smtp[1] == []  # nothing was sent from the request, not even tried

    # The worker meets the stalled server: each mail waits EMAIL_TIMEOUT, is logged with what
    # it was, and is queued again for later; nothing is marked as sent.
    with caplog.at_level(logging.WARNING, logger="comments.notify"):
        start = time.monotonic()
        run_worker()
        took = time.monotonic() - start
    assert 2 * 0.5 <= took < 2 * 0.5 + 2
    assert len(stalled_smtp[1]) == 2
    confirmation, waiting = sorted(
        (r.getMessage() for r in caplog.records if r.name == "comments.notify"),
        key=lambda text: "waits" in text,
    )
    assert "'Confirm your address for replies on Blog' to ingrid@example.org" in confirmation
    assert "(attempt 1)" in confirmation and "trying again in 0:01:00" in confirmation
    assert "'A comment waits for you" in waiting and "to owner@example.org" in waiting
    assert sorted(queued()) == [
        ("send_confirmation_request", {"args": [subscriber.pk], "kwargs": {"attempt": 1}}),
        ("send_waiting", {"args": [comment.pk], "kwargs": {"attempt": 1}}),
    ]
    assert all(
        row.run_after > timezone.now() for row in DBTaskResult.objects.filter(status="READY")
    )
    subscriber.refresh_from_db()
    assert subscriber.confirmation_sent is None  # not sent: still to be asked

    # The server answers again; the retries are not due yet, then they are.
    mail.answers()
    run_worker()
    assert inbox == [] and len(queued()) == 2
    time_passes()
    run_worker()
    assert sorted(m["To"] for m in inbox) == ["ingrid@example.org", "owner@example.org"]
    assert queued() == []
    subscriber.refresh_from_db()
    assert subscriber.confirmation_sent is not None


def test_a_reply_is_marked_announced_only_once_its_mail_was_sent(client, seed, mail, inbox):
    post_comment(client, seed, notify="on", body="Tell me when someone answers.")
    mail.answers()
    run_worker()
    confirm(inbox)
    parent = comment_number(16)
    publish(parent)
    post_comment(Client(), seed, parent=str(parent.pk), body="An answer.", author_email="o@x.org")
    answer = comment_number(17)
    publish(answer)
    assert queued() == [("announce_reply", {"args": [answer.pk], "kwargs": {}})]

    mail.stalls()
    run_worker()
    answer.refresh_from_db()
    assert not answer.reply_announced
    assert ThreadMail.objects.get().last_sent is None  # the thread's hour is given back
    assert queued() == [("announce_reply", {"args": [answer.pk], "kwargs": {"attempt": 1}})]

    mail.answers()
    time_passes()
    run_worker()
    (message,) = inbox
    assert "An answer." in message.get_content()
    answer.refresh_from_db()
    assert answer.reply_announced
    assert ThreadMail.objects.get().last_sent is not None


def test_after_the_last_retry_the_whole_message_goes_to_the_log(
    client, seed, settings, mail, stalled_smtp, caplog
):
    settings.OWNER_EMAIL = "owner@example.org"
    post_comment(client, seed, body="Please look at this.")
    with caplog.at_level(logging.ERROR, logger="comments.notify"):
        send_waiting.call(comment_number(16).pk, attempt=len(notify.RETRY_AFTER))
    (record,) = [r for r in caplog.records if r.name == "comments.notify"]
    assert record.levelname == "ERROR"
    assert "Gave up emailing 'A comment waits for you" in record.getMessage()
    assert "Please look at this." in record.getMessage()  # the message itself is kept
    assert queued() == [("send_waiting", {"args": [comment_number(16).pk], "kwargs": {}})]


def test_line_breaks_in_a_stored_name_never_reach_the_subject(
    client, seed, settings, inbox, django_capture_on_commit_callbacks
):
    """Names typed into the form are one line; imported ones may not be. (Immediate backend.)"""
    settings.MODERATION_POLICY = "hold-all"
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, seed, notify="on", body="Tell me when someone answers.")
    confirm(inbox)
    parent = comment_number(16)
    publish(parent)
    post_comment(Client(), seed, parent=str(parent.pk), body="An answer.", author_email="o@x.org")
    answer = comment_number(17)
    Comment.objects.filter(pk=answer.pk).update(author_name="Ola\r\nBcc: x@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        publish(answer)
    (message,) = inbox
    assert message["Subject"].strip().startswith("Ola Bcc: x@example.org replied to your comment")
    assert message["Bcc"] is None
    answer.refresh_from_db()
    assert answer.reply_announced


def test_a_mail_is_built_when_it_is_sent_from_what_is_true_then(
    client, seed, settings, mail, inbox
):
    """The owner decided before the worker ran: nothing waits, so no "comment waiting" mail."""
    settings.OWNER_EMAIL = "owner@example.org"
    post_comment(client, seed, body="Please look at this.")
    assert queued() == [("send_waiting", {"args": [comment_number(16).pk], "kwargs": {}})]
    publish(comment_number(16))
    mail.answers()
    run_worker()
    assert inbox == [] and queued() == []


def test_a_flood_of_held_comments_is_a_few_mails_to_the_owner_naming_every_one(
    seed, settings, mail, inbox
):
    settings.OWNER_EMAIL = "owner@example.org"
    mail.answers()
    bodies = [f"Flood comment {n}, on B cells." for n in range(30)]
    for n, body in enumerate(bodies):
        # From thirty addresses, so that no flood check sends them to the spam folder.
        reader = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert post_comment(reader, seed, body=body).status_code == 302
        run_worker()  # the worker keeps up: each comment's mail is due at once
    assert len(inbox) == settings.MODERATION_MAILS == 5
    the_mail_window_passes(settings)
    run_worker()

    assert len(inbox) == 6 and queued() == []
    digest = inbox[-1]
    assert digest["Subject"] == "25 comments wait for you"
    mailed = "".join(message.get_content() for message in inbox)
    assert [body for body in bodies if body not in mailed] == []
    assert [n for n in range(16, 46) if f"(#{n})" not in mailed] == []

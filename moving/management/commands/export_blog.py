from collections import Counter
from contextlib import contextmanager
from datetime import datetime

from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from blog.models import Label, Post, PreviousAddress
from comments.models import Comment, Revision


class Command(BaseCommand):
    help = (
        "Write the whole blog as one JSON fixture: labels, posts, their previous addresses, "
        "and every comment (threads, statuses, tombstones, earlier versions). `manage.py "
        "loaddata FILE` reads it back, here or into a new install. Commenters' IP addresses "
        "are left out."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="a file ending in .json, as loaddata wants (default: standard output)",
        )

    def handle(self, *args, output, **options):
        # Each model's rows by primary key, which loaddata keeps: comments still answer the
        # same comments, and posts keep their labels. Left out: the mail subscriptions
        # (comments.Subscriber, ThreadMail), which belong to their owners' confirmations, and
        # the moderation app's tables, which are its own and not needed to show the blog.
        querysets = [
            Label.objects.order_by("pk"),
            Post.objects.order_by("pk"),
            PreviousAddress.objects.order_by("pk"),
            Comment.objects.order_by("pk"),
            Revision.objects.order_by("pk"),
        ]
        written = Counter()
        with snapshot():
            objects = _rows(querysets, written)
            if output is None:
                self.stdout.write(
                    serializers.serialize("json", objects, indent=2, cls=Encoder), ending=""
                )
                return
            try:
                with open(output, "w", encoding="utf-8") as stream:
                    serializers.serialize("json", objects, indent=2, cls=Encoder, stream=stream)
            except OSError as error:
                raise CommandError(f"cannot write {output}: {error.strerror}") from error
        counts = ", ".join(_how_many(written[qs.model], qs.model) for qs in querysets)
        self.stdout.write(f"Wrote {counts} to {output}.")


@contextmanager
def snapshot():
    """One transaction that sees the blog as it was when it began, so that a comment written
    while the export runs cannot leave a revision without its comment, or a reply without its
    parent. (SQLite's read transactions already see one snapshot; PostgreSQL's default reads
    each statement afresh.)"""
    outermost = not connection.in_atomic_block  # else the caller's transaction decides
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _how_many(count, model):
    return f"{count} {model._meta.verbose_name_plural if count != 1 else model._meta.verbose_name}"


def _rows(querysets, written):
    """Each queryset's rows in turn, counted in `written` by model; comments without their
    client address, since an exported file travels (the rows here keep theirs)."""
    for queryset in querysets:
        for row in queryset.iterator():
            if isinstance(row, Comment):
                row.ip_address = None
            written[type(row)] += 1
            yield row


class Encoder(DjangoJSONEncoder):
    """Django's, but with times to the microsecond rather than the millisecond, so that the
    blog loaded back shows the very same times (a comment's <time datetime> has them all)."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat().replace("+00:00", "Z")
        return super().default(o)

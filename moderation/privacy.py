"""What the blog keeps about a commenter, to hand over or to erase on request."""

from django.db import transaction

from comments.models import Comment, Subscriber

from .models import Decision


def comments_of(email):
    return Comment.objects.filter(author_email__iexact=email.strip()).select_related("post")


def _iso(moment):
    return moment.isoformat() if moment else None


def emails_asked(email):
    """What the address asked to be emailed (replies, followed posts), or None if nothing."""
    subscriber = Subscriber.objects.filter(email=email.strip().lower()).first()
    if subscriber is None:
        return None
    return {
        "asked": _iso(subscriber.created),
        "confirmed": _iso(subscriber.confirmed),
        "all_muted": subscriber.muted,
        "posts": [
            {
                "post": thread.post.title,
                "following_since": _iso(thread.following_since),
                "muted": thread.muted,
            }
            for thread in subscriber.threads.select_related("post").order_by("pk")
        ],
    }


def export(email):
    """Everything stored about the commenter with this address, as plain data for JSON."""
    return {
        "email": email,
        # A follower may never have commented: what they asked for is all there is of them.
        "emails": emails_asked(email),
        "comments": [
            {
                "post": comment.post.title,
                "url": comment.get_absolute_url(),
                "number": comment.number,
                "created": comment.created.isoformat(),
                "status": comment.status,
                "name": comment.author_name,
                "email": comment.author_email,
                "website": comment.author_url,
                "text": comment.body,
                "ip_address": comment.ip_address,
                "emails_about_replies": comment.notify,
            }
            for comment in comments_of(email)
        ],
    }


def erase(email, actor):
    """Turn the commenter's comments into tombstones, clear what identifies them, and forget
    the address's emails about replies and followed posts.

    Returns how many comments were erased; the audit trail records each removal.
    """
    with transaction.atomic():
        comments = comments_of(email)
        pks = list(comments.values_list("pk", flat=True))
        Decision.objects.change(
            Comment.objects.filter(pk__in=pks),
            Comment.Status.REMOVED,
            actor=actor,
            note="erased at the commenter's request",
        )
        for comment in Comment.objects.filter(pk__in=pks):
            comment.author_name = comment.author_email = comment.author_url = comment.body = ""
            comment.ip_address = None
            comment.notify = False
            comment.save()
        Subscriber.objects.filter(email=email.strip().lower()).delete()
    return len(pks)

"""Email to the owner when a comment waits for them."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse

from comments.models import Comment
from comments.signals import comment_was_posted


@receiver(comment_was_posted)
def tell_the_owner(sender, comment, request, **kwargs):
    if comment.status != Comment.Status.PENDING or not settings.OWNER_EMAIL:
        return
    queue = settings.SITE_URL + reverse("admin:moderation_queuedcomment_changelist")
    transaction.on_commit(
        lambda: send_mail(
            f"A comment waits for you on “{comment.post.title}”",
            f"{comment.author} wrote (#{comment.number}):\n\n{comment.body}\n\n"
            f"Approve it, or not, in the moderation queue: {queue}\n",
            None,
            [settings.OWNER_EMAIL],
        )
    )

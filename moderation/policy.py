"""What happens to a comment on arrival.

Until the spam checks exist, every new comment is held for the owner (Blogger's "always moderate").
"""

from django.dispatch import receiver

from comments.models import Comment
from comments.signals import comment_was_posted, comment_will_be_posted

from .models import Decision


@receiver(comment_will_be_posted)
def hold_for_review(sender, comment, request, **kwargs):
    comment.status = Comment.Status.PENDING


@receiver(comment_was_posted)
def record_arrival(sender, comment, request, **kwargs):
    Decision.objects.create(comment=comment, to_status=comment.status, note="policy: hold all")

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from comments.models import Comment


class DecisionManager(models.Manager):
    def change(self, comments, status, actor=None, note=""):
        """Move `comments` (a queryset) to `status`, recording who did it, when, from and to.

        Comments already in `status` are left alone and not recorded. Returns how many changed.
        """
        with transaction.atomic():
            changing = list(comments.select_for_update().exclude(status=status))
            Comment.objects.filter(pk__in=[c.pk for c in changing]).set_status(status)
            self.bulk_create(
                Decision(comment=c, actor=actor, from_status=c.status, to_status=status, note=note)
                for c in changing
            )
        return len(changing)


class Decision(models.Model):
    """One change of a comment's status: the moderation audit trail."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="decisions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Empty when the blog decided by itself.",
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)
    # Empty for the status a new comment was given on arrival.
    from_status = models.CharField(max_length=10, choices=Comment.Status, blank=True)
    to_status = models.CharField(max_length=10, choices=Comment.Status)
    note = models.CharField(max_length=200, blank=True)

    objects = DecisionManager()

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self):
        who = self.actor or "the blog"
        return f"{self.comment}: {self.from_status or 'new'} → {self.to_status} by {who}"

from datetime import timedelta

from django import template
from django.utils import timezone

from comments.models import Comment
from moderation.models import Decision, QueuedComment

register = template.Library()
NEWEST = 10


@register.simple_tag
def moderation_waiting():
    """How many comments wait in the moderation queue (held and spam)."""
    return QueuedComment.objects.waiting().count()


@register.simple_tag
def moderation_desk():
    """What needs the owner: comments held, spam caught in the last 7 days, the newest comments."""
    week_ago = timezone.now() - timedelta(days=7)
    return {
        "status": Comment.Status,
        "held": Comment.objects.filter(status=Comment.Status.PENDING).count(),
        "spam_this_week": Decision.objects.filter(
            to_status=Comment.Status.SPAM, created__gte=week_ago
        )
        .values("comment")
        .distinct()
        .count(),
        "newest": Comment.objects.select_related("post").order_by("-created", "-pk")[:NEWEST],
    }


# The owner's own work in the admin; the rest (accounts, sign-in records, the mail queue) is kept
# apart below it.
OWNERS_APPS = ["blog", "comments", "moderation", "admin"]


@register.simple_tag
def desk_apps(app_list):
    """The admin index's apps split in two: {"work": the owner's, "others": the rest}."""
    return {
        "work": [app for app in app_list if app["app_label"] in OWNERS_APPS],
        "others": [app for app in app_list if app["app_label"] not in OWNERS_APPS],
    }

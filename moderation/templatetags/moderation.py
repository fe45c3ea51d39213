from django import template

from moderation.models import QueuedComment

register = template.Library()


@register.simple_tag
def moderation_waiting():
    """How many comments wait in the moderation queue (held and spam)."""
    return QueuedComment.objects.waiting().count()

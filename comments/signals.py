"""Hooks for other apps, so that comments never import them.

comment_will_be_posted(sender=Comment, comment, request): sent before a new comment is
saved, outside its transaction (so it may read, slowly, without holding the post's lock); a
receiver may set ``comment.status``. comment_was_posted: sent once it is saved,
in the same transaction. comment_was_edited(sender=Comment, comment, request, before):
sent when a commenter changed the text (`before` is the old one), in the transaction that
saved it; a receiver may change the comment's status.
"""

from django.dispatch import Signal

comment_will_be_posted = Signal()
comment_was_posted = Signal()
comment_was_edited = Signal()

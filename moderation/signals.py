"""What moderation tells the rest of the blog, so that deciding never reaches into its listeners.

decided(sender=Decision, comments, status, actor): sent once `comments` (a list, each now with
`status`) were given that status, in the transaction that recorded it: on arrival, after an edit,
or by a person. `actor` is that person, or None when the blog decided by itself. The filter
learns from people's decisions (policy) and the owner hears of comments waiting (notify).
"""

from django.dispatch import Signal

decided = Signal()

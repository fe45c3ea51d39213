"""Build a long, threaded comment thread on a post, the way a popular post grows one."""

import random

from django.conf import settings
from django.utils import timezone

from comments.models import Comment, text_hash

WORDS = (
    "interesting study lymphocytes rituximab patients infusion relapse improvement XMRV "
    "antiretroviral doctors Norway research chemotherapy symptoms fatigue immune cells"
).split()


def build(post, count, seed=2009):
    """Add `count` published comments to `post`: a tenth start threads, the rest reply within
    their thread at random, never deeper than COMMENTS_MAX_DEPTH. Returns the comments made."""
    rng = random.Random(seed)
    start = (
        Comment.objects.filter(post=post)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    now = timezone.now()
    made, depth, thread = [], {}, []
    for i in range(count):
        number = start + i
        parent = None
        if i % 10 and thread:
            candidates = [c for c in thread if depth[c.number] < settings.COMMENTS_MAX_DEPTH]
            parent = rng.choice(candidates) if candidates else None
        comment = Comment(
            post=post,
            number=number,
            parent=parent,
            author_name=f"Reader {number}",
            body=" ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 60))),
            status=Comment.Status.PUBLISHED,
            created=now,
        )
        # bulk_create skips the pre_save receiver that does these.
        comment.body_hash = text_hash(comment.body)
        comment.render()
        if parent is None:
            thread = []
        depth[number] = depth[parent.number] + 1 if parent else 0
        thread.append(comment)
        made.append(comment)
    # Parents must have primary keys before their replies are inserted.
    for level in range(settings.COMMENTS_MAX_DEPTH + 1):
        batch = [c for c in made if depth[c.number] == level]
        for c in batch:
            c.parent_id = c.parent.pk if c.parent else None
        Comment.objects.bulk_create(batch, batch_size=500)
    return made

from django.core.management.base import BaseCommand

from comments.models import Comment


class Command(BaseCommand):
    help = (
        "Render every comment's stored HTML again: after a change to the sanitizer, to "
        "comments/_comment.html or to TIME_ZONE, or for rows written without save()."
    )

    def handle(self, *args, **options):
        batch, done = [], 0
        for comment in Comment.objects.select_related("post").iterator(chunk_size=500):
            comment.render()
            batch.append(comment)
            if len(batch) == 500:
                done += self._save(batch)
        done += self._save(batch)
        self.stdout.write(f"Rendered {done} comments.")

    def _save(self, batch):
        Comment.objects.bulk_update(batch, ["body_html", "html"])
        count = len(batch)
        batch.clear()
        return count

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from comments.models import Comment


class Command(BaseCommand):
    help = "Forget the client addresses of comments older than ADDRESS_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.ADDRESS_RETENTION_DAYS)

    def handle(self, *args, days, **options):
        cutoff = timezone.now() - timedelta(days=days)
        count = Comment.objects.filter(created__lt=cutoff, ip_address__isnull=False).update(
            ip_address=None
        )
        self.stdout.write(f"Forgot the address of {count} comment(s) older than {days} days.")

from django.core.management.base import BaseCommand, CommandError

from moving import blogger
from moving.importing import Refused, load


class Command(BaseCommand):
    help = (
        "Import a Blogger export: the Takeout .zip or the feed.atom in it (Settings → Back up "
        "content, or Google Takeout), or an older backup's .xml file. Posts with their labels, "
        "dates and old addresses, comments with their threads. Importing again changes nothing."
    )
    read = staticmethod(blogger.read)  # import_wxr reads WordPress's files instead

    def add_arguments(self, parser):
        parser.add_argument("file", help="the exported file")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from error
        try:
            report = load(self.read(data))
        except Refused as refused:
            raise CommandError(
                f"{refused.where(file)}: {refused.reason}; nothing was imported"
            ) from None
        for line in report.lines():
            self.stdout.write(line)
        if report.failed:
            # Exit non-zero: a script or the owner must not take this file as moved in.
            unknown = "; ".join(report.not_understood) or "what was skipped, and why, is above"
            raise CommandError(f"{file}: nothing was imported ({unknown})")

from moving import wxr

from .import_blogger import Command as ImportCommand


class Command(ImportCommand):
    help = (
        "Import a WordPress export (Tools → Export, a WXR file): posts with their categories, "
        "tags, dates and old addresses, comments with their threads and moderation states. "
        "Importing again changes nothing."
    )
    read = staticmethod(wxr.read)

from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from blog import pagecache

        from . import commenter, editing

        # A remembered reader's form is filled in with their details, and one who just
        # commented sees a link to edit it: pages of their own.
        pagecache.personal_cookie(commenter.COOKIE)
        pagecache.personal_cookie(editing.COOKIE)

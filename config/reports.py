"""Error reports for ADMINS, sent like all the blog's mail: queued, then sent by the worker.

Django's own AdminEmailHandler sends from inside the failing request, so a slow or dead SMTP
server would make a 500 slower still; this one only queues the report (a task, as in
comments/notify.py), and the worker retries it as it retries any mail.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import log
from django_tasks import task

from comments import notify


class AdminEmailHandler(log.AdminEmailHandler):
    """Django's report of an error, mailed to ADMINS by `manage.py db_worker`."""

    def send_mail(self, subject, message, *args, **kwargs):
        if settings.ADMINS:
            send_report.enqueue(subject, message)


@task()
def send_report(subject, message, attempt=0):
    email = EmailMessage(
        settings.EMAIL_SUBJECT_PREFIX + subject,
        message,
        settings.SERVER_EMAIL,
        [address for _, address in settings.ADMINS],
    )
    notify.deliver(email, send_report, subject, message, attempt=attempt)

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from django.core.wsgi import get_wsgi_application  # noqa: E402

from config.startup import refuse_unsafe_start  # noqa: E402

refuse_unsafe_start()  # before anything else speaks, so its line is the only one
application = get_wsgi_application()

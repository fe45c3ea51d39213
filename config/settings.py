"""Settings, read once from the environment (and an optional .env file).

Defaults suit a newcomer's machine: SQLite beside the code, the cache in a table of it.
Every variable is listed in the README.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
# Templates and fixtures live inside the package, so that an installed wheel has them too.
PACKAGE_DIR = Path(__file__).resolve().parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# The fallback key is only fit for a laptop: with DEBUG off, gunicorn refuses to start on it
# (config/startup.py), so a deployment must set its own.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-key-do-not-deploy")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "axes",
    "blog",
    "comments",
    "moderation",
    "moving",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecureResponseMiddleware",  # outside those that set cookies
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.HeadMiddleware",
    "config.middleware.HealthzMiddleware",  # before CommonMiddleware checks the Host
    "config.middleware.Utf8FormMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "blog.middleware.PreviousAddressMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.unavailable.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

# Admin logins: after ADMIN_LOGIN_ATTEMPTS failures from one address, that address waits
# ADMIN_LOCKOUT_MINUTES (django-axes, counting in the database); after
# ADMIN_LOGIN_USERNAME_ATTEMPTS failures as one username in a day, from anywhere, each failure
# pauses that username for longer (config/logins.py, counting in the cache).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "config.logins.PausedUsernameBackend",
    "django.contrib.auth.backends.ModelBackend",
]
ADMIN_LOGIN_USERNAME_ATTEMPTS = env.int("ADMIN_LOGIN_USERNAME_ATTEMPTS", default=10)
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_ATTEMPTS", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
# Proxies trusted, and an IPv6 client counted by its /64, as for comments.
AXES_CLIENT_IP_CALLABLE = "comments.throttle.client_sender"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin_locked.html"
AXES_VERBOSE = False

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blog.context_processors.blog",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction begins, so two requests
        # numbering comments at once queue up instead of failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that tests of concurrent requests see real SQLite locking.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# The default is a table in the database (created by migrate, blog/migrations/0005): every
# gunicorn worker on the machine shares it, so a blocklist entry or the comment limit holds in
# all of them, with no cache server. Several machines share Redis instead.
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://blog_cache")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Redis out of reach is a cache miss, not a 500 (config/cache.py); and a Redis that hangs
    # costs a request a second at most, not a worker.
    CACHES["default"]["BACKEND"] = "config.cache.RedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=1, socket_timeout=1)
# Whole pages for anonymous readers (blog/pagecache.py). On by default only with a cache that
# every app server shares, where a change made through one server reaches all of them at once.
PAGE_CACHE = env.bool(
    "PAGE_CACHE",
    default=CACHES["default"]["BACKEND"] == "config.cache.RedisCache",
)
PAGE_CACHE_TIMEOUT = env.int("PAGE_CACHE_TIMEOUT", default=24 * 60 * 60)
# Each worker keeps this many pages in its own memory too (0: none), and asks the shared cache
# whether they changed at most every PAGE_CACHE_CHECK_MS milliseconds: a change made through
# another server reaches it within that time.
PAGE_CACHE_LOCAL_PAGES = env.int("PAGE_CACHE_LOCAL_PAGES", default=200)
PAGE_CACHE_CHECK_MS = env.int("PAGE_CACHE_CHECK_MS", default=100)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A blog speaks its owner's language, one for every reader: no LocaleMiddleware, whose
# Accept-Language would make each cached page (keyed on its path) vary by reader.
LANGUAGE_CODE = env("LANGUAGE_CODE", default="en-us")
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Dates as the language writes them: ours for English (config/formats/en), Django's for others.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names need `collectstatic` first, which a deployment runs; a laptop
    # (DEBUG on) serves the files as they are.
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
WHITENOISE_MAX_AGE = 31_536_000 if not DEBUG else 0  # hashed names never change content

# Email: Django's backends from one URL, e.g. smtp+tls://user:password@smtp.example.org:587.
# The default prints mail to the console, so nothing leaves a laptop by surprise.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Seconds an SMTP server may take to answer before the worker gives up and tries again later.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10)
# Mail is sent outside the request: queued in the database, sent by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="blog@localhost")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Owner", address) for address in env.list("ADMINS", default=[])]
# Django's errors (a 500's traceback among them) go to stderr, which gunicorn and systemd keep,
# and by mail to ADMINS when set, queued like all the blog's mail (config/reports.py). The
# blog's own warnings (mail that failed, the cache out of reach) go to stderr too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
        "mail_admins": {"class": "config.reports.AdminEmailHandler", "level": "ERROR"},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        # In place of Django's defaults, which print only with DEBUG and mail from the request.
        "django": {
            "handlers": ["stderr", "mail_admins"],
            "level": "INFO" if DEBUG else "ERROR",
            "propagate": False,
        },
    },
}
# Where the owner hears of comments waiting in the queue (empty: no such mail).
OWNER_EMAIL = env("OWNER_EMAIL", default="")
# Which new comments that mail is about: "held" ones, "all" (held and published), or "none".
OWNER_EMAIL_ON = env("OWNER_EMAIL_ON", default="held")
# The blog's public address, for links in emails, which have no request to take it from.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Security. The defaults are the production ones; DEBUG (a laptop) relaxes the TLS-only ones.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (see README, "Deploying").
# gunicorn must be reachable only through that proxy, or a client could claim https.
if env.bool("BEHIND_TLS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# __Host- cookies are refused by browsers unless Secure, for / and with no Domain, so a sibling
# subdomain or a plain-HTTP page cannot plant or overwrite them; they need HTTPS, hence not
# over a laptop's plain HTTP.
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
if CSRF_COOKIE_SECURE:
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Joining the browsers' preload list is the owner's decision (hstspreload.org), not a default.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],  # no inline script, no eval: injected markup cannot run
        "style-src": [SELF],
        "img-src": [SELF, "https:", "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

FIXTURE_DIRS = [PACKAGE_DIR / "fixtures"]

# The blog's own settings.
BLOG_TITLE = env("BLOG_TITLE", default="Blog")
# Who writes the posts: their byline, and the author feeds must name (RFC 4287).
BLOG_AUTHOR = env("BLOG_AUTHOR", default=BLOG_TITLE)
COMMENTS_MAX_LENGTH = env.int("COMMENTS_MAX_LENGTH", default=10_000)
# Replies deeper than this are still threaded, but drawn at this depth with an
# "in reply to" link, so that long arguments stay readable on a phone.
COMMENTS_MAX_DEPTH = env.int("COMMENTS_MAX_DEPTH", default=6)
# Comments close this many days after a post is published (0: never).
COMMENTS_CLOSE_AFTER_DAYS = env.int("COMMENTS_CLOSE_AFTER_DAYS", default=0)
# How long a commenter may edit their comment, from the browser that sent it.
COMMENTS_EDIT_MINUTES = env.int("COMMENTS_EDIT_MINUTES", default=10)
# At most this many comments a minute from one address (0: no limit), counted in the shared cache.
COMMENTS_PER_MINUTE = env.int("COMMENTS_PER_MINUTE", default=5)
# Addresses (or networks) of the reverse proxies whose X-Forwarded-For names the real client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1/32", "::1/128"])
# Requests larger than this are refused (a comment is at most COMMENTS_MAX_LENGTH characters).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=256 * 1024)
# Client addresses are kept this long (for the flood check and blocklists), then forgotten by
# `manage.py prune_addresses`, run daily from cron.
ADDRESS_RETENTION_DAYS = env.int("ADDRESS_RETENTION_DAYS", default=90)
# The admin's address; move it off the well-known /admin/ if you like.
ADMIN_URL = env("ADMIN_URL", default="admin/").strip("/") + "/"
# Long threads are split into pages of about this many comments, only between threads.
COMMENTS_PER_PAGE = env.int("COMMENTS_PER_PAGE", default=200)

# Moderation (see README, "Moderation"): which comments wait for the owner, and the two scores
# (0 to 1) that split published / held in the queue / spam folder.
MODERATION_POLICY = env.str("MODERATION_POLICY", default="hold-flagged")
MODERATION_HOLD_ABOVE = env.float("MODERATION_HOLD_ABOVE", default=0.65)
MODERATION_SPAM_ABOVE = env.float("MODERATION_SPAM_ABOVE", default=0.998)
# The owner gets at most MODERATION_MAILS "comment waiting" emails in any
# MODERATION_MAIL_WINDOW seconds; past that, one digest names every comment that waits meanwhile.
MODERATION_MAILS = env.int("MODERATION_MAILS", default=5)
MODERATION_MAIL_WINDOW = env.int("MODERATION_MAIL_WINDOW", default=10 * 60)
# How long the approve / spam links in the owner's email work (each works once).
MODERATION_LINK_DAYS = env.int("MODERATION_LINK_DAYS", default=7)
# Spam older than this is deleted by `manage.py spam purge` (until then, it can be brought back).
MODERATION_SPAM_KEEP_DAYS = env.int("MODERATION_SPAM_KEEP_DAYS", default=30)

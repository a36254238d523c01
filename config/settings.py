"""Ascent settings, read from the environment.

Production is the default: ``DEBUG`` is off, cookies are secure, HSTS is on and a
``SECRET_KEY`` must be given. ``scripts/stack.py`` (behind ``make run`` and
``make test``) supplies development values when nothing is configured.
"""

from pathlib import Path

from django.utils.csp import CSP

from config.cache import failsafe_redis_cache
from config.env import ConfigError, env_bool, env_database, env_int, env_list, env_redis, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = BASE_DIR / ".local"

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("ASCENT_TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not DEBUG and not TESTING and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-")):
    raise ConfigError("SECRET_KEY must be at least 50 random characters when DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
if not ALLOWED_HOSTS:
    raise ConfigError("ALLOWED_HOSTS is required when DEBUG is off (comma-separated host names)")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ConfigError(f"CSRF_TRUSTED_ORIGINS entries must start with http:// or https://, got {_origin!r}")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "organisations",
    "okrs",
    "goals",
    "checkins",
    "surveys",
    "notifications",
    "outbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Opens the request's transaction and sets the tenant inside it (RLS); see DESIGN.md.
    "organisations.middleware.TenantMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organisations.context_processors.tenant",
            ],
            "builtins": ["django.templatetags.static"],
        },
    }
]

DATABASES = {"default": env_database("DATABASE_URL")}
# The tenant is set per transaction (set_config(..., true)), so requests and tasks
# always run inside one; TenantMiddleware opens it.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Behind PgBouncer in transaction mode (docker-compose's pgbouncer), a server connection passes to
# another client after every transaction, so nothing may outlive one. The tenant setting already
# is transaction-local; psycopg's prepared statements and Django's server-side cursors are not.
DATABASE_TRANSACTION_POOLER = env_bool("DATABASE_TRANSACTION_POOLER", False)
if DATABASE_TRANSACTION_POOLER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
# Lets two test runs share one server (e.g. parallel sessions) without dropping each other's database.
DATABASES["default"]["TEST"] = {"NAME": env_str("ASCENT_TEST_DB_NAME", f"test_{DATABASES['default']['NAME']}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisations.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "organisations.backends.EmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing strength is not what the suite tests; speed is what it needs.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# How many reverse proxies stand in front of the app: X-Forwarded-For is believed only that far
# (organisations.client_ip). One setting for the lockout, the password-reset limit and every throttle.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

# django-axes (organisations.lockout): lock a normalised e-mail + IP pair after repeated failures,
# and an IP after ASCENT_IP_FAILURE_LIMIT failures over any accounts.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
ASCENT_IP_FAILURE_LIMIT = env_int("ASCENT_IP_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Password reset: at most this many mails per address and requests per client IP in the window.
ASCENT_RESET_PER_ADDRESS = env_int("ASCENT_RESET_PER_ADDRESS", 3)
ASCENT_RESET_PER_IP = env_int("ASCENT_RESET_PER_IP", 10)
ASCENT_RESET_WINDOW_SECONDS = 3600
AXES_HANDLER = "organisations.lockout.LockoutHandler"
AXES_USERNAME_CALLABLE = "organisations.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "organisations.lockout.lockout_ip"
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / ".local" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

REDIS_URL = env_redis("REDIS_URL")
if REDIS_URL:
    # Fail-safe: a missing or frozen Redis answers from memory (config/cache.py), never a 500.
    CACHES = {"default": failsafe_redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis when configured, otherwise kombu's filesystem transport so that the
# demo still runs a real worker and beat with no services installed.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # A message taken by a worker that died unacknowledged comes back after this long. It must
        # exceed the longest a message can be held (one waiting behind a running job: twice the
        # hard time limit), or a slow job would be handed to a second worker while it runs. The
        # outbox relay re-publishes sooner (OUTBOX_REPUBLISH_AFTER), so this is the backstop.
        "visibility_timeout": 300,
        "socket_connect_timeout": 2,
        "socket_timeout": 10,  # the worker's reads; the web publishes with its own short ones
        "socket_keepalive": True,
        "health_check_interval": 15,
    }
else:
    _broker_dir = Path(env_str("ASCENT_BROKER_DIR", str(LOCAL_DIR / "broker")))
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # kombu's default is ./control
        "store_processed": False,
    }
# Delivery (docs/architecture.md, Background jobs): acknowledge after the job ran and put it back
# when the worker process dies, so a killed worker loses nothing (effects are once-only, so the
# redelivery repeats nothing); take one message at a time, so a dead worker holds at most one.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A job gets a minute (SoftTimeLimitExceeded, recorded on its row and retried), then is killed.
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# The worker never gives up on the broker: it retries the connection for as long as it runs.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Publishes made outside the outbox relay (beat's ticks): a few quick retries, then give up; the
# next tick comes anyway.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
# A job running when the broker connection drops finishes; its acknowledgement is lost, the
# message comes back and the runner, seeing the job done, skips it.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "clear-expired-sessions": {"task": "organisations.tasks.clear_expired_sessions", "schedule": 3600},
    "okrs-advance-cycles": {"task": "okrs.tasks.advance_cycles", "schedule": 15 * 60},
    # One tick for every organisation and member; the ledger makes a doubled beat harmless.
    "checkins-dispatch-reminders": {"task": "checkins.tasks.dispatch_reminders", "schedule": 5 * 60},
    # The outbox relay: publishes jobs whose on-commit publish failed or whose message was lost.
    "outbox-relay": {"task": "outbox.relay_pending", "schedule": env_int("OUTBOX_RELAY_EVERY", 10)},
    "surveys-close-due": {"task": "surveys.tasks.close_due_surveys", "schedule": 5 * 60},
}
# Outbox (outbox/services.py; docs/architecture.md, Background jobs). A job never published is
# picked up by the relay after OUTBOX_RELAY_GRACE seconds (its request's on-commit publish goes
# first); a published one that no worker finished is published again after
# OUTBOX_REPUBLISH_AFTER seconds (its message died with a broker restart or a killed worker).
OUTBOX_RELAY_GRACE = env_int("OUTBOX_RELAY_GRACE", 5)
OUTBOX_REPUBLISH_AFTER = env_int("OUTBOX_REPUBLISH_AFTER", 120)
# Publishing from a request: short socket timeouts and one quick retry, so a frozen or missing
# broker costs a request well under a second and the job waits in its row.
OUTBOX_PUBLISH_TRANSPORT_OPTIONS: dict[str, object] = {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}
OUTBOX_PUBLISH_RETRY_POLICY: dict[str, float] = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}

# E-mail (Django 6.1 MAILERS). SMTP in production; the console in development.
_email_backend = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
_email_options: dict[str, object] = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "timeout": 10,
    }
elif _email_backend.endswith("filebased.EmailBackend"):
    _email_options = {"file_path": env_str("EMAIL_FILE_PATH")}
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Ascent <no-reply@ascent.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Safe by default; DEBUG (local development over plain HTTP) relaxes the HTTPS parts.
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG and not TESTING)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organisations.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable renderer builds forms listing every related object (an N+1 that
    # made a 50-member list take seconds); /api/v1/docs/ is the interactive documentation.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "organisations.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token_create": env_str("TOKEN_CREATE_RATE", "10/min")},
    # DRF's default (None) would believe any X-Forwarded-For; throttles use client_ip, this is a
    # second guard for any throttle that does not.
    "NUM_PROXIES": TRUSTED_PROXIES,
    "EXCEPTION_HANDLER": "organisations.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ascent API",
    "DESCRIPTION": (
        "OKRs, goals, surveys and check-ins. Authenticate with `Authorization: Bearer <token>`; "
        "create a token in your profile or with `POST /api/v1/auth/tokens/`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have fields named kind / progress_source / status with different choices:
    # name each choice set explicitly so the schema is stable.
    "ENUM_NAME_OVERRIDES": {
        "TeamKindEnum": "organisations.models.TeamKind",
        "CycleKindEnum": "okrs.models.CycleKind",
        "ObjectiveKindEnum": "okrs.models.ObjectiveKind",
        "KeyResultKindEnum": "okrs.models.KeyResultKind",
        "ObjectiveSourceEnum": "okrs.models.ObjectiveSource",
        "KeyResultSourceEnum": "okrs.models.KeyResultSource",
        "OkrStatusEnum": "okrs.models.Status",
        "CycleStateEnum": "okrs.models.CycleState",
        "CheckinKindEnum": "checkins.models.CheckinKind",
        "CheckinStateEnum": "checkins.models.CheckinState",
        "ReminderKindEnum": "checkins.models.ReminderKind",
        "DeliveryStatusEnum": "checkins.models.DeliveryStatus",
        "CadenceFrequencyEnum": "checkins.models.Frequency",
        "CadenceWeekdayEnum": "checkins.models.Weekday",
        "SurveyAudienceEnum": "surveys.models.Audience",
        "ActionAudienceEnum": "surveys.models.ActionAudience",
    },
}

# The debug page (make dev) and error e-mails never show a credential, DATABASE_URL's included.
DEFAULT_EXCEPTION_REPORTER_FILTER = "organisations.error_pages.CredentialFreeReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

ASCENT_INVITATION_DAYS = 14
ASCENT_BASE_URL = env_str("ASCENT_BASE_URL", "http://127.0.0.1:8000")

"""EleaSud settings: one file, every value from an environment variable with a safe default.

Nothing set → SQLite in var/, an in-process cache and DEBUG off. Production sets DATABASE_URL,
REDIS_URL, SECRET_KEY and ALLOWED_HOSTS (see docs/OPERATIONS.md).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from recommender.defaults import RECOMMENDER_DEFAULTS as _RECO

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ELEASUD_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see docs/OPERATIONS.md).")
    SECRET_KEY = "django-insecure-local-development-only-never-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "api.errors.csrf_failure"  # JSON under /api/, Django's page elsewhere

INSTALLED_APPS = [
    "cms",
    "merchants",
    "missions",
    "recommender",
    "reporting",
    "partners",
    "api",
    "notifications",
    "django_tasks",
    "django_tasks_db",
    "wagtail_headless_preview",
    "wagtail.api.v2",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "api.errors.ApiErrorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns an admin login lockout into its 429 page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------
if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite database lives there
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'eleasud.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default has two processes writing (the web server and the task worker). SQLite's default
    # deferred transactions fail at once with "database is locked" when a reader upgrades to a writer while
    # the other holds the lock; immediate transactions wait for it instead (up to `timeout` seconds), and
    # WAL lets readers go on while one process writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_cache(url: str) -> dict:
    """The shared cache on Redis at `url` (tests point it at a dead port to prove reads survive)."""
    return {
        # django-redis that fails soft: a lost Redis is a cache miss, logged once (config/cache_backends.py).
        "BACKEND": "config.cache_backends.FailSoftRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "eleasud"),
        "TIMEOUT": 300,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            # An unreachable host costs at most this per attempt; the breaker then skips Redis for a while.
            "SOCKET_CONNECT_TIMEOUT": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.5")),
            "SOCKET_TIMEOUT": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
        },
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "eleasud"}}

# --- Background tasks and e-mail ---------------------------------------------------------------
# Two task backends. "default" is the one Wagtail enqueues its own housekeeping on (search index,
# reference index): it stays immediate, as before. "background" is the real queue our apps use (e-mail,
# notifications, scheduled retraining): rows in the database, run by `manage.py db_worker --backend
# background --queue-name '*'` (make run starts one). Enqueuing writes in the caller's transaction, so a
# task exists exactly when the write that caused it commits, and nothing is lost while no worker runs.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "email"],
    },
}
# make run writes e-mail to files in var/mail/ (DEBUG); production speaks SMTP. Tests use Django's
# in-memory outbox (mail.outbox), filled by the real worker.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "EleaSud <ne-pas-repondre@eleasud.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds before each new attempt when the mail server fails; after the last, the task is marked failed.
EMAIL_RETRY_DELAYS = [int(s) for s in env_list("EMAIL_RETRY_DELAYS", ["60", "300", "1800", "7200", "21600"])]

# --- Auth --------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Admin sign-in (/admin/login/) is locked out after AXES_FAILURE_LIMIT wrong passwords; the API's sign-in
    # has its own throttle (MERCHANT_AUTH_RATE) and calls authenticate() without a request, which Axes skips.
    "config.admin_login.AdminLoginLockout",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("ADMIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ADMIN_LOGIN_LOCKOUT_MINUTES", "15")))
# Per account and client together: N wrong passwords from one client lock that account for that client only,
# so nobody can lock an editor out from elsewhere by typing their e-mail.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "config.admin_login.AdminLoginAttempts"
AXES_DISABLE_ACCESS_LOG = True  # failed attempts only; successful sign-ins are not personal data we need
AXES_CLIENT_IP_CALLABLE = "api.authentication.client_ip"  # the same client identity as the API's throttles
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_COOLOFF_MESSAGE = "Trop de tentatives de connexion : réessayez dans quelques minutes."
AXES_PERMALOCK_MESSAGE = AXES_COOLOFF_MESSAGE
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "merchants.password_validation.NotMostlySpacesValidator", "OPTIONS": {"min_length": 10}},
]

# --- Locale ------------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "frontend"] if (BASE_DIR / "frontend").is_dir() else []
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security (on by default when DEBUG is off; `manage.py check --deploy` passes) -------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Probes (the container's HEALTHCHECK, a load balancer) speak plain HTTP to the worker itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail marks its own preview views SAMEORIGIN

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_EXPOSE_HEADERS = ["ETag"]

# --- Wagtail -----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "EleaSud"
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "merchants.forms.EditorPasswordResetForm"  # editors only
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        # French stemming on PostgreSQL ("sauvegardes" finds "sauvegarder"); ignored on SQLite.
        "SEARCH_CONFIG": "french",
    }
}
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
WAGTAILAPI_BASE_URL = os.environ.get("WAGTAILAPI_BASE_URL", WAGTAILADMIN_BASE_URL)
WAGTAILAPI_LIMIT_MAX = 100
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Editors press "Aperçu" in the admin and land on the frontend's preview route with a signed token;
# the frontend fetches the draft from /api/v2/page_preview/.
HEADLESS_PREVIEW_CLIENT_URL = os.environ.get(
    "HEADLESS_PREVIEW_CLIENT_URL", WAGTAILADMIN_BASE_URL.rstrip("/") + "/preview/"
)
PREVIEW_TOKEN_TTL = int(os.environ.get("PREVIEW_TOKEN_MINUTES", "30")) * 60  # seconds a draft preview link works
WAGTAIL_HEADLESS_PREVIEW = {
    "CLIENT_URLS": {"default": HEADLESS_PREVIEW_CLIENT_URL},
    "ENFORCE_TRAILING_SLASH": True,
}

# --- REST API ----------------------------------------------------------------------------------
API_CACHE_MAX_AGE = int(os.environ.get("API_CACHE_MAX_AGE", "60"))
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_METADATA_CLASS": "api.metadata.ApiMetadata",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "600/minute")},
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "UNAUTHENTICATED_USER": None,
    # How many proxies in front of us append to X-Forwarded-For. 0 (the default) ignores the header, so a
    # client cannot pick its own identity to dodge throttling; set 1 behind one load balancer.
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
}
# Merchants sign in with opaque tokens stored hashed (see docs/API.md, "Authentication").
MERCHANT_AUTH = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=int(os.environ.get("MERCHANT_ACCESS_TOKEN_MINUTES", "15"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=int(os.environ.get("MERCHANT_REFRESH_TOKEN_DAYS", "30"))),
    # Registration, login, password-reset requests and refresh with an unknown token, per client IP.
    "THROTTLE_RATE": os.environ.get("MERCHANT_AUTH_RATE", "10/minute"),
    # Refresh with a live session's token, per session (not per IP: a workshop shares one Wi-Fi address).
    "REFRESH_THROTTLE_RATE": os.environ.get("MERCHANT_REFRESH_RATE", "12/minute"),
    # Password-reset e-mails per address, whoever asks.
    "RESET_EMAIL_RATE": os.environ.get("MERCHANT_RESET_EMAIL_RATE", "3/hour"),
}
# Password-reset links (merchants and editors) expire after an hour.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT_SECONDS", "3600"))
# Where the merchants' app is, for links in e-mails: never taken from the request's Host header.
MERCHANT_APP_BASE_URL = os.environ.get("MERCHANT_APP_BASE_URL", WAGTAILADMIN_BASE_URL)
# Per-merchant quotas (api/quotas.py): "count/period", period one of second, minute, hour, day.
MERCHANT_QUOTAS = {
    "help_requests": os.environ.get("QUOTA_HELP_REQUESTS", "5/hour"),
    "events": os.environ.get("QUOTA_EVENTS", "3000/hour"),
    "recommendations": os.environ.get("QUOTA_RECOMMENDATIONS", "600/hour"),
}
# A merchant shown the same ranking again within this many seconds gets the same recommendation_id and no
# new impressions (reloading a page must not inflate the editors' click-through figures).
RECOMMENDATION_IMPRESSION_DEDUP_SECONDS = int(os.environ.get("RECOMMENDATION_IMPRESSION_DEDUP_SECONDS", "600"))
# The recommender (see docs/RECOMMENDER.md). Artifacts go to Django's default storage (MEDIA_ROOT locally);
# with several machines, point the default storage at shared storage (NFS, S3…) so every worker loads them.
RECOMMENDER = {  # defaults: recommender/defaults.py (the one source); the environment overrides them
    "ARTIFACT_DIR": os.environ.get("RECOMMENDER_ARTIFACT_DIR", _RECO["ARTIFACT_DIR"]),
    "EXPLORATION_EPSILON": float(os.environ.get("RECOMMENDER_EXPLORATION_EPSILON", _RECO["EXPLORATION_EPSILON"])),
    "MAX_PER_THEME": int(os.environ.get("RECOMMENDER_MAX_PER_THEME", _RECO["MAX_PER_THEME"])),
    "MIN_MERCHANTS": int(os.environ.get("RECOMMENDER_MIN_MERCHANTS", _RECO["MIN_MERCHANTS"])),
    "MIN_EVENTS": int(os.environ.get("RECOMMENDER_MIN_EVENTS", _RECO["MIN_EVENTS"])),
    "ARTIFACT_RETRY_SECONDS": float(
        os.environ.get("RECOMMENDER_ARTIFACT_RETRY_SECONDS", _RECO["ARTIFACT_RETRY_SECONDS"])
    ),
}
# The agency's observatory (see docs/OBSERVATORY.md): no published figure comes from fewer than
# MIN_CELL_SIZE merchants; partner API keys are throttled per key.
OBSERVATORY = {
    "MIN_CELL_SIZE": int(os.environ.get("OBSERVATORY_MIN_CELL_SIZE", "10")),
    "PARTNER_RATE": os.environ.get("OBSERVATORY_PARTNER_RATE", "60/minute"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "EleaSud API",
    "DESCRIPTION": (
        "Guidance modules for small merchants going digital, and the taxonomy to build an onboarding "
        "form. Resource names are English; content is French. Errors share one shape: "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PREPROCESSING_HOOKS": ["api.schema.only_our_endpoints"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.bound_event_batches",
        "api.schema.document_pagination_errors",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MissionStatusEnum": "missions.models.Mission.Status",
        "SessionStatusEnum": "missions.models.Appointment.Status",
        "SessionModeEnum": "missions.models.Mode",
        "MissionRoleEnum": "missions.models.Role",
    },
}

# --- Logging -----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

"""Django settings; the CORS variant comes from $CORSPROBE_DJANGO_VARIANT."""

import os

from corsheaders.defaults import default_headers
from variants import ALLOWED_ORIGIN, check

VARIANT = os.environ.get("CORSPROBE_DJANGO_VARIANT", "correct")
check("django", VARIANT)

SECRET_KEY = "corsprobe-tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]  # loopback test server only
ROOT_URLCONF = "django_site.urls"
INSTALLED_APPS = ["corsheaders"]
DATABASES = {}  # no models; keeps runserver's migration check quiet
USE_TZ = True
APPEND_SLASH = True  # the default, stated for the cors_after_common variant

CORS = "corsheaders.middleware.CorsMiddleware"
# startproject's list minus sessions/auth/messages (no database here)
STANDARD = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
if VARIANT == "cors_after_common":
    i = STANDARD.index("django.middleware.common.CommonMiddleware") + 1
    MIDDLEWARE = STANDARD[:i] + [CORS] + STANDARD[i:]
else:
    MIDDLEWARE = [CORS] + STANDARD

CORS_ALLOWED_ORIGINS = [ALLOWED_ORIGIN]
CORS_ALLOW_CREDENTIALS = True
CORS_EXPOSE_HEADERS = ["X-Request-ID"]
CORS_PREFLIGHT_MAX_AGE = 600
CORS_ALLOW_HEADERS = (*default_headers, "x-custom")

if VARIANT == "allow_all_credentials":
    CORS_ALLOWED_ORIGINS = []
    CORS_ALLOW_ALL_ORIGINS = True
elif VARIANT == "regex_prefix":
    CORS_ALLOWED_ORIGINS = []
    CORS_ALLOWED_ORIGIN_REGEXES = [r"https://.*\.example\.com"]  # no "$": re.match
elif VARIANT == "no_expose":
    del CORS_EXPOSE_HEADERS
elif VARIANT == "trailing_slash":
    CORS_ALLOWED_ORIGINS = [ALLOWED_ORIGIN + "/"]  # corsheaders.E014 under runserver
elif VARIANT == "csrf_session":
    # django-cors-headers configured correctly, session login behind the CSRF middleware,
    # and CSRF_TRUSTED_ORIGINS left out: Django 4+ refuses the page's unsafe requests
    # ("Origin checking failed") although the CORS answer is right. Signed-cookie sessions
    # need no database.
    SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    MIDDLEWARE = [CORS, "django.contrib.sessions.middleware.SessionMiddleware", *STANDARD]
elif VARIANT == "drf_session":
    # Django REST framework with SessionAuthentication (its CSRF check runs for a request
    # authenticated by the session), django-cors-headers correct, CSRF_TRUSTED_ORIGINS left
    # out. No database: a signed-cookie session, and SessionUser stands in for
    # AuthenticationMiddleware (request.user from the session, no User table).
    INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.contenttypes", "django.contrib.auth",
                      "rest_framework"]
    SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    MIDDLEWARE = [CORS, "django.contrib.sessions.middleware.SessionMiddleware",
                  "django_site.views.SessionUser", *STANDARD]
    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
        "UNAUTHENTICATED_USER": None,
    }

"""A local OGC SensorThings API v1.1 server for Lantern's tests: django-ogc-sensorthings
(PyPI) with its Django ORM backend on SQLite. Its ORM assigns UUIDs (version 7), so ids are strings in paths: Datastreams('<uuid>').

Settings (DJANGO_SETTINGS_MODULE=lantern_sta.settings); the URLs are in urls.py.
Environment: LANTERN_STA_DB (the SQLite file), LANTERN_STA_PORT (for self links).
Started by Toolchain/sensorthings-server; host only, never on the board.
"""
import os
from uuid import UUID

SECRET_KEY = "lantern-test-server-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "sensorthings.versions.v1_1",
    "sensorthings.versions.v1_1.backends.django",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "lantern_sta.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("LANTERN_STA_DB", "sensorthings.sqlite"),
        "OPTIONS": {"timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
_port = os.environ.get("LANTERN_STA_PORT", "8080")
SENSORTHINGS_V1_1_SERVICE_URL = f"http://127.0.0.1:{_port}/sensorthings"
SENSORTHINGS_V1_1_BACKEND_ADAPTER = "lantern_sta.adapter.PeriodAwareAdapter"
SENSORTHINGS_V1_1_ID_TYPE = UUID
SENSORTHINGS_V1_1_ID_DELIMITER = "'"
SENSORTHINGS_V1_1_MAX_TOP = 1000
SENSORTHINGS_V1_1_DOCS_ENABLED = False


"""Settings come from the environment: bad or missing values stop start-up with one clear line,
and production settings pass Django's deploy check."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "DATABASE_URL": "postgres://ascent_app:pw@127.0.0.1:5432/ascent",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "ascent.example.com",
    "DEBUG": "0",
}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {*GOOD, "ASCENT_TESTING", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is required but not set"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY must be at least 50 random characters"),
        ({"DATABASE_URL": ""}, "DATABASE_URL is required but not set"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL must be a postgres:// URL"),
        ({"DATABASE_URL": "postgres://u@h/"}, "DATABASE_URL must name a database"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is required"),
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL must be a redis:// URL"),
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT must be an integer"),
        ({"CSRF_TRUSTED_ORIGINS": "ascent.example.com"}, "CSRF_TRUSTED_ORIGINS entries must start with http"),
    ],
)
def test_bad_configuration_stops_start_up_with_one_clear_line(override: dict[str, str], message: str) -> None:
    result = manage({**GOOD, **override}, "check")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"Configuration error: {lines[0].removeprefix('Configuration error: ')}"]
    assert message in lines[0]


def test_production_defaults_are_safe_and_pass_the_deploy_check() -> None:
    result = manage(GOOD, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    shell = manage(
        GOOD,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.MAILERS['default']['BACKEND'].endswith('smtp.EmailBackend'))",
    )
    assert shell.stdout.split()[-6:] == ["False", "True", "True", "True", "True", "True"], shell.stdout + shell.stderr

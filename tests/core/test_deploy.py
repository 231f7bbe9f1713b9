"""Production settings: `check --deploy` is clean, and missing secrets stop the app.

Each case runs `manage.py check` in a subprocess, since settings are read once
per process. The environment is this one minus every variable the settings
read (the test run sets several) and Django's own, with ENV_FILE pointing at
nothing so the checkout's `.env` is ignored.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parents[2]
SETTINGS = BASE_DIR / "config" / "settings.py"
README = BASE_DIR / "README.md"
ENV_READ = re.compile(r"""\b(?:env\w*|required|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def settings_variables() -> set[str]:
    return set(ENV_READ.findall(SETTINGS.read_text()))


def production_env() -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "crm.example.org",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(36),
        "DATABASE_URL": "postgres://crm:secret@db.example.org:5432/crm",
        "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
    }


def run_check(overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # Also drop DJANGO_* (the test run sets DJANGO_ALLOW_ASYNC_UNSAFE, which the deploy check flags).
    env = {k: v for k, v in os.environ.items() if k not in settings_variables() and not k.startswith("DJANGO_")}
    env.update({"ENV_FILE": os.devnull, "DJANGO_SETTINGS_MODULE": "config.settings"}, **overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_settings_variables_are_found() -> None:
    # Guards the parser below: if it found nothing, the other tests would prove nothing.
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS", "DATABASE_URL"} <= settings_variables()


def test_production_settings_pass_the_deploy_check_with_zero_warnings() -> None:
    result = run_check(production_env(), "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_the_deploy_check_does_report_a_weakened_setting() -> None:
    # The same command with HSTS switched off must fail: the clean run above means something.
    result = run_check({**production_env(), "SECURE_HSTS_SECONDS": "0"}, "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"])
def test_production_refuses_to_start_without_a_required_variable(missing: str) -> None:
    env = production_env()
    del env[missing]

    result = run_check(env)

    assert result.returncode != 0
    refusal = [line for line in result.stderr.splitlines() if line.startswith("django.core.exceptions.Improperly")]
    assert refusal, result.stderr
    assert missing in refusal[-1]


def test_an_invalid_encryption_key_is_refused() -> None:
    result = run_check({**production_env(), "FIELD_ENCRYPTION_KEYS": "not-a-fernet-key"})

    assert result.returncode != 0
    assert "core.E001" in result.stdout + result.stderr


def test_every_settings_variable_is_documented_in_the_readme() -> None:
    table = "\n".join(line for line in README.read_text().splitlines() if line.startswith("|"))
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]*)`", table))

    assert settings_variables() - documented == set()


def production_example() -> dict[str, str]:
    lines = (BASE_DIR / ".env.production.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def test_the_production_env_example_names_only_known_variables() -> None:
    names = set(production_example())
    postgres_image = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}

    assert names - postgres_image <= settings_variables()
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "DATABASE_URL"} <= names


def test_the_production_env_example_filled_in_passes_the_deploy_check() -> None:
    example = production_example()
    generated = {k: v for k, v in production_env().items() if example.get(k, "").startswith("<")}

    result = run_check({**example, **generated}, "--deploy", "--fail-level", "WARNING")

    assert set(generated) == {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"}
    assert result.returncode == 0, result.stdout + result.stderr

"""Fixtures every test package shares: a fixed cast of users, one per role, plus an outsider.

The role groups come from a data migration and their permissions from
`access.roles` (a post_migrate handler). pytest-django runs the migrations, and a
transactional test's flush re-sends post_migrate, but `roles_synced` calls
`sync_role_permissions()` anyway so a test never depends on that detail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone, translation

from access import roles
from crm.models import Contact

from .factories import PASSWORD, ContactFactory, UserFactory
from .worker import RealWorker

OUTSIDER = "outsider"
CAST = [*roles.ROLES, OUTSIDER]


def pytest_configure(config: pytest.Config) -> None:
    # WhiteNoise warns about STATIC_ROOT, which only `collectstatic` creates; tests serve from the finders.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    # The cast logs in for nearly every test; PBKDF2 would dominate the run time.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _no_state_left_behind() -> Iterator[None]:
    """Each test starts in English, in the default time zone, with an empty cache, whatever ran before it.

    A request to a `/fr/` page activates French for the thread and LocaleMiddleware never
    deactivates it; the cache holds API throttle counts. Without this, a test that reads an
    English message would fail after one that opened a French page (seen with pytest-randomly).
    """
    cache.clear()
    yield
    translation.deactivate()  # back to LANGUAGE_CODE
    timezone.deactivate()
    cache.clear()


@pytest.fixture(autouse=True)
def _second_factor_given_at_sign_in(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every sign-in of a test (client.login, force_login, the browser's login form) counts as having given
    the second factor: the user gets a confirmed authenticator and the session is verified, so the tests of
    every area sign in as they did before two-factor sign-in (access.two_factor). The one place that does so.
    Tests of two-factor itself are marked `real_second_factor` and owe the code like a person does.
    """
    if request.node.get_closest_marker("real_second_factor"):
        yield
        return
    user_logged_in.connect(_verified_at_sign_in, dispatch_uid=_SECOND_FACTOR_UID)
    yield
    user_logged_in.disconnect(dispatch_uid=_SECOND_FACTOR_UID)


_SECOND_FACTOR_UID = "tests-second-factor-given"


def _verified_at_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="tests", confirmed=True)
    # What django_otp.login() stores; set here directly since the test client's login request has no `user`.
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id


@pytest.fixture(scope="module")
def worker(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[RealWorker]:
    """A real Celery worker on Redis, consuming every queue, shared by the tests of one module.

    Its tests are marked `worker` and use `transactional_db`, so that the worker sees what they commit.
    """
    running = RealWorker.start(tmp_path_factory.mktemp("worker"), name=request.module.__name__.rpartition(".")[2])
    yield running
    running.stop()


@pytest.fixture
def worker_media(worker: RealWorker, settings: Any) -> Path:
    """The media folder the worker reads uploads from, made the test's MEDIA_ROOT too."""
    settings.MEDIA_ROOT = worker.media_root
    return worker.media_root


@pytest.fixture(autouse=True)
def _shipped_retention_policies(request: pytest.FixtureRequest) -> None:
    """The retention policies the data migration ships, which a transactional test's flush removes."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from retention.defaults import default_policies_load
    from retention.models import RetentionPolicy

    if not RetentionPolicy.objects.exists():
        default_policies_load()


@pytest.fixture
def roles_synced(db: None) -> None:
    roles.sync_role_permissions()


@pytest.fixture
def cast(roles_synced: None) -> dict[str, AbstractBaseUser]:
    """role name -> an active user in that group only; "outsider" -> an active user in no group."""
    users = {role: UserFactory(username=role.lower(), roles=[role]) for role in roles.ROLES}
    users[OUTSIDER] = UserFactory(username=OUTSIDER)
    return users


@pytest.fixture
def admin_role_user(cast: dict[str, AbstractBaseUser]) -> AbstractBaseUser:
    """The Administrator role (a group, not a superuser)."""
    return cast[roles.ADMINISTRATOR]


@pytest.fixture
def dpo_user(cast: dict[str, AbstractBaseUser]) -> AbstractBaseUser:
    return cast[roles.DPO]


@pytest.fixture
def sales_user(cast: dict[str, AbstractBaseUser]) -> AbstractBaseUser:
    return cast[roles.SALES]


@pytest.fixture
def marketing_user(cast: dict[str, AbstractBaseUser]) -> AbstractBaseUser:
    return cast[roles.MARKETING]


@pytest.fixture
def support_user(cast: dict[str, AbstractBaseUser]) -> AbstractBaseUser:
    return cast[roles.SUPPORT]


@pytest.fixture
def auditor_user(cast: dict[str, AbstractBaseUser]) -> AbstractBaseUser:
    return cast[roles.AUDITOR]


@pytest.fixture
def outsider_user(cast: dict[str, AbstractBaseUser]) -> AbstractBaseUser:
    return cast[OUTSIDER]


@pytest.fixture
def role_client(cast: dict[str, AbstractBaseUser]) -> Callable[[str], Client]:
    """`role_client("Sales")` -> a Client logged in as that member of the cast."""

    def make(role: str) -> Client:
        client = Client()
        assert client.login(username=cast[role].get_username(), password=PASSWORD)
        return client

    return make


@pytest.fixture
def contact(db: None) -> Contact:
    return ContactFactory()


@pytest.fixture
def eager_celery() -> Iterator[Celery]:
    """Tasks queued with .delay() run at once, in this process, and raise their errors."""
    from config.celery import app

    saved = {name: app.conf[name] for name in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    try:
        yield app
    finally:
        app.conf.update(saved)

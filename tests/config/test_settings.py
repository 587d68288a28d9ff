"""Production settings pass Django's deployment checklist; missing secrets fail loudly."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "eleasud.example",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


def manage(*args, env):
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests' session-wide Playwright loop, never by production
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_containers_healthcheck_passes_against_production_settings(tmp_path):
    """The Dockerfile's HEALTHCHECK command against gunicorn with DEBUG off: /healthz must not redirect to
    HTTPS (the probe speaks plain HTTP to the worker) and must answer for the configured host."""
    import time

    from tests.faults import closed_port

    port = str(closed_port())
    env = {**os.environ, **PRODUCTION_ENV, "PORT": port, "ELEASUD_VAR_DIR": str(tmp_path)}
    env = {k: v for k, v in env.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        healthcheck = [sys.executable, "-m", "config.healthcheck"]
        deadline = time.monotonic() + 60
        while True:
            result = subprocess.run(healthcheck, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True)
            if result.returncode == 0 or time.monotonic() > deadline or server.poll() is not None:
                break
            time.sleep(0.5)
        assert result.returncode == 0, result.stderr
        import requests

        https_redirect = requests.get(
            f"http://127.0.0.1:{port}/api/v1/themes/",
            headers={"Host": "eleasud.example"},
            allow_redirects=False,
            timeout=5,
        )
        assert https_redirect.status_code == 301  # everything else still goes to HTTPS
        assert https_redirect.headers["Location"].startswith("https://")
        readyz = requests.get(
            f"http://127.0.0.1:{port}/readyz", headers={"Host": "eleasud.example"}, allow_redirects=False, timeout=5
        )
        assert readyz.status_code in (200, 503)  # answered here (an empty database is "not ready"), not redirected
    finally:
        server.terminate()
        server.wait(timeout=10)

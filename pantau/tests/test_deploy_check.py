"""Django's deployment checks pass in the production profile (HTTPS, HSTS, secure cookies, a
Content-Security-Policy, no DEBUG), and the default profile still serves the demo over plain
http on 127.0.0.1 (the README's first command)."""

import os
import re
import secrets
import subprocess
import urllib.parse
import urllib.request

from pantau.conftest import pantau_script, redis_url, subprocess_env


def production_env(data_dir, **extra) -> dict:
    env = dict(
        PANTAU_HTTPS="1",
        PANTAU_SECRET_KEY=secrets.token_urlsafe(64),
        PANTAU_ALLOWED_HOSTS="pantau.example.go.id",
        PANTAU_REDIS_URL=redis_url(13),
        PANTAU_REQUIRE_2FA="1",
    )
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]  # PostgreSQL when the suite runs on it
    env.update(extra)
    return subprocess_env(data_dir, **env)


def check_deploy(env):
    return subprocess.run(
        [pantau_script(), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_production_profile_passes_the_deployment_checks(tmp_path):
    result = check_deploy(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_without_https_the_checks_name_what_is_missing(tmp_path):
    result = check_deploy(production_env(tmp_path, PANTAU_HTTPS=""))
    assert result.returncode != 0
    out = result.stdout + result.stderr
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in out


def test_the_settings_of_the_production_profile(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD,"
        " s.DEBUG, s.REQUIRE_2FA)"
    )
    run = lambda **extra: subprocess.run(  # noqa: E731
        [pantau_script(), "shell", "--no-imports", "-c", code],
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.split()
    assert run() == ["True", "True", "True", "31536000", "True", "False", "False", "True"]
    assert run(PANTAU_HSTS_PRELOAD="1", PANTAU_HSTS_SECONDS="600")[3:6] == ["600", "True", "True"]
    assert check_deploy(production_env(tmp_path, PANTAU_HSTS_PRELOAD="1")).returncode == 0


def test_the_demo_works_over_plain_http_with_a_content_security_policy(demo_server):
    url = demo_server["url"]
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with opener.open(url + "/masuk/") as page:
        assert page.status == 200
        policy = page.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy
        assert "Strict-Transport-Security" not in page.headers
        cookies = page.headers.get_all("Set-Cookie")
        html = page.read().decode()
    assert cookies and not any("secure" in c.lower() for c in cookies)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "camat-tongas", "password": "pantau-demo"}
    ).encode()
    request = urllib.request.Request(url + "/masuk/", data=body, headers={"Referer": url})
    with opener.open(request) as home:  # follows the redirect home, logged in
        assert home.status == 200 and home.url == url + "/"
        assert "Tongas" in home.read().decode()

"""The two-command setup: settings from the environment, the demo, docker-compose."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import call_command

from actionlines.models import Activity, Team
from commitments.models import Commitment, FollowUpLetter
from commitments.roles import POLICY_STAFF_GROUP

ROOT = Path(__file__).resolve().parent.parent


def clean_environment():
    """The test run's environment without what the test settings or a developer added."""
    from tests.settings import TEST_ENVIRONMENT

    dropped = {"DEBUG", "DJANGO_SETTINGS_MODULE", *TEST_ENVIRONMENT}
    return {key: value for key, value in os.environ.items() if key not in dropped}


def run_manage(*args, env_overrides):
    env = clean_environment()
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    serve = subprocess.run(
        [sys.executable, "-c", "import tracker.wsgi"],
        cwd=ROOT,
        env={**clean_environment(), "TRACKER_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert serve.returncode != 0
    assert "SECRET_KEY is not set" in serve.stderr
    check = run_manage("check", "--deploy", env_overrides={"TRACKER_VAR_DIR": str(tmp_path)})
    assert check.returncode != 0
    assert "SECRET_KEY is not set" in check.stderr


def test_developer_commands_run_without_a_secret_key(tmp_path):
    result = run_manage(
        "makemigrations", "--check", "--dry-run", env_overrides={"TRACKER_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_debug_is_off_unless_asked(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        env_overrides={"SECRET_KEY": "x" * 60, "TRACKER_VAR_DIR": str(tmp_path)},
    )
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


@pytest.mark.parametrize("behind_proxy", ["0", "1"])
def test_deploy_check_is_clean_with_production_variables(tmp_path, behind_proxy):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "SECRET_KEY": "pr0duction-" + "k3y-" * 15,
            "ALLOWED_HOSTS": "toezeggingen.example.org",
            "SECURE_HSTS_SECONDS": "31536000",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
            "SECURE_HSTS_PRELOAD": "1",
            "BEHIND_PROXY": behind_proxy,
            "TRACKER_VAR_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_local_development_makes_and_keeps_its_own_key(tmp_path):
    command = ("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)")
    first = run_manage(*command, env_overrides={"DEBUG": "1", "TRACKER_VAR_DIR": str(tmp_path)})
    second = run_manage(*command, env_overrides={"DEBUG": "1", "TRACKER_VAR_DIR": str(tmp_path)})
    assert first.stdout.splitlines()[-1] == second.stdout.splitlines()[-1] != ""
    assert (tmp_path / "secret_key").exists()


def test_embedded_defaults_need_no_server(settings):
    from tracker import settings as tracker_settings

    expected_broker = os.environ.get("CELERY_BROKER_URL", "filesystem://")
    assert expected_broker == tracker_settings.CELERY_BROKER_URL
    if not os.environ.get("EMAIL_HOST"):
        assert tracker_settings.EMAIL_BACKEND.endswith("filebased.EmailBackend")
    if not os.environ.get("DATABASE_URL"):
        assert tracker_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def test_docker_compose_describes_the_production_stack():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "--app", "tracker", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "--app", "tracker", "beat"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        for variable in ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_HOST"):
            assert variable in environment, (name, variable)
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert environment["DEBUG"] == "0"


def test_docker_compose_puts_nginx_in_front_of_gunicorn():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    nginx, web = services["nginx"], services["web"]
    assert nginx["image"].startswith("nginx:")
    assert set(nginx["ports"]) == {"80:80", "443:443"}
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in nginx["volumes"]
    assert any(volume.endswith(":/etc/nginx/certs:ro") for volume in nginx["volumes"])
    # Only nginx publishes ports: gunicorn is reachable inside the compose network only.
    assert [name for name, service in services.items() if "ports" in service] == ["nginx"]
    assert web["expose"] == ["8000"]
    assert web["environment"]["BEHIND_PROXY"] == "1"
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server web:8000;" in config
    assert "return 301 https://$host$request_uri;" in config
    assert "listen 443 ssl" in config
    for header in ("X-Forwarded-Proto $scheme", "X-Forwarded-For $remote_addr", "Host $host"):
        assert f"proxy_set_header {header};" in config


def test_postgresql_runs_the_queries_without_parallel_workers_unless_asked(tmp_path):
    def options(**env):
        result = run_manage(
            "shell",
            "-c",
            "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])",
            env_overrides={"DEBUG": "1", "TRACKER_VAR_DIR": str(tmp_path), **env},
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    database = "postgres://tracker@127.0.0.1:5432/tracker"
    assert "-c max_parallel_workers_per_gather=0" in options(DATABASE_URL=database)
    assert "-c max_parallel_workers_per_gather=2" in options(
        DATABASE_URL=database, DATABASE_PARALLEL_WORKERS="2"
    )
    # Options the address gives itself are kept beside it.
    given = options(DATABASE_URL=database + "?options=-c%20statement_timeout%3D5000")
    assert "-c statement_timeout=5000 -c max_parallel_workers_per_gather=0" in given
    assert "options" not in options(DATABASE_URL=f"sqlite:///{tmp_path}/t.sqlite3")
    # Reading out of order costs about what reading in order does, from memory.
    assert "-c random_page_cost=1.1" in options(DATABASE_URL=database)
    assert "-c random_page_cost=2.0" in options(
        DATABASE_URL=database, DATABASE_RANDOM_PAGE_COST="2"
    )


@pytest.mark.django_db
def test_the_test_database_answers_as_configured():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            assert cursor.fetchone()[0] == "0"
            cursor.execute("SHOW random_page_cost")
            assert cursor.fetchone()[0] == "1.1"
    else:
        assert connection.vendor == "sqlite"


def test_env_example_lists_every_variable_the_settings_read():
    import re

    source = (ROOT / "tracker/settings.py").read_text()
    read = set(re.findall(r'[eE]nv(?:\(\))?\.\w+\(\s*"([A-Z_]+)"', source))
    listed = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read, "no variables found in the settings"
    assert read <= listed, read - listed


@pytest.mark.django_db
def test_demo_setup_gives_each_role_a_user_and_the_team_the_plan(plan_2016, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("setup_demo", verbosity=0)
    call_command("setup_demo", verbosity=0)
    users = get_user_model().objects
    assert set(users.values_list("username", flat=True)) >= {
        "official",
        "staff",
        "manager",
        "admin",
    }
    password = (tmp_path / "demo_password").read_text().strip()
    assert len(password) >= 12
    assert users.get(username="official").check_password(password)
    team = Team.objects.get(name="Demoteam Kindersekstoerisme")
    assert list(team.members.values_list("username", flat=True)) == ["official"]
    assert list(team.managers.values_list("username", flat=True)) == ["manager"]
    assert team.parent.managers.filter(username="director").exists()
    assert users.get(username="staff").groups.filter(name=POLICY_STAFF_GROUP).exists()
    assert users.get(username="admin").is_superuser
    assert not users.get(username="manager").is_staff
    assert Commitment.objects.filter(team=team).count() == 5
    assert Activity.objects.filter(team=team).count() == 6
    assert FollowUpLetter.objects.filter(team=team, drafter__username="official").count() == 2
    assert Team.objects.filter(name="Demoteam Kindersekstoerisme").count() == 1


@pytest.mark.django_db
def test_demo_user_logs_in_at_accounts_login(client, plan_2016, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("setup_demo", verbosity=0)
    password = (tmp_path / "demo_password").read_text().strip()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    response = client.post("/accounts/login/", {"username": "manager", "password": password})
    assert response.status_code == 302
    assert client.get("/", follow=True).context["user"].username == "manager"


@pytest.mark.django_db
def test_wrong_password_keeps_the_username_and_says_why(client, cast):
    response = client.post("/accounts/login/", {"username": "official", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'value="official"' in response.content.decode()

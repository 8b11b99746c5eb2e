"""The production image and compose file: read as Docker would (no daemon here), and the image's
commands run on this machine: the migrate job, then the portal, its health check and /healthz on
a throwaway PostgreSQL and a real redis-server."""

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, make_url, text

from tests.support.deployment import (
    PROJECT_ROOT,
    Stage,
    compose,
    dockerfile_stages,
    example_settings,
    exec_form,
    interpolate,
    lay_out_image,
    on_this_machine,
    required_settings,
)
from tests.support.postgres import postgres_server
from tests.support.redis import redis_server
from tests.support.servers import free_port

PORTALS = ("portal-a", "portal-b")
WORKERS = ("mail", "housekeeping")
APP_SERVICES = ("migrate", *PORTALS, *WORKERS)
# What an operator writes in deploy/.env; a live-looking key: production refuses the sandbox.
SETTINGS = {
    "SECRET_KEY": "deployment-test-secret",
    "POSTGRES_PASSWORD": "deploymenttest",
    "PUBLIC_URL": "https://portal.test.invalid",
    "MOLLIE_API_KEY": "live_deploymenttestkeynotreal00",
    "MAIL_URL": "smtp://127.0.0.1:9",
    "MAIL_FROM": "Bibliotheek <noreply@bibliotheek.test.invalid>",
}
BUILD_TOOLS = ("gcc", "swig", "build-essential", "libpcsclite-dev", "apt-get install")
START_SECONDS = 20


@pytest.fixture(scope="module")
def image() -> Stage:
    """The image's final stage."""
    return dockerfile_stages()[-1]


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    """The compose file's services."""
    found: dict[str, Any] = compose()["services"]
    return found


def test_wheels_are_built_in_a_stage_of_their_own_on_the_same_python() -> None:
    builder, final = dockerfile_stages()
    assert builder.name == "builder" and final.name is None
    assert builder.base == final.base, "wheels built for another Python would not install"
    assert any("pip wheel" in run for run in builder.arguments("RUN"))


def test_the_image_holds_no_compiler_and_installs_no_package_in_place(image: Stage) -> None:
    runs = " ".join(image.arguments("RUN"))
    assert not [tool for tool in BUILD_TOOLS if tool in runs]
    assert "pip install --no-cache-dir --no-index /wheels/*.whl" in runs
    assert " -e " not in runs and "--editable" not in runs
    assert "pybabel compile -d translations" in runs


def test_the_image_runs_as_an_unprivileged_user(image: Stage) -> None:
    user = image.arguments("USER")[-1].split(":")[0]
    assert user not in ("root", "0")


def test_the_image_only_serves_and_checks_its_own_health(image: Stage) -> None:
    assert image.arguments("ENTRYPOINT") == []
    assert exec_form(image.arguments("CMD")[-1]) == ["python", "-m", "portal"]
    (healthcheck,) = image.arguments("HEALTHCHECK")
    assert exec_form(healthcheck)[0] == "python"


def test_the_instance_folder_never_goes_into_the_image() -> None:
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
    assert {"instance/", ".venv/", "deploy/.env"} <= set(ignored)


def test_compose_runs_every_part(services: dict[str, Any]) -> None:
    assert set(services) == {*APP_SERVICES, "postgres", "redis"}
    assert services["postgres"]["healthcheck"]["test"][1] == "pg_isready"
    assert services["redis"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]
    assert services["migrate"]["restart"] == "no"


def test_portals_and_workers_start_on_a_migrated_database(services: dict[str, Any]) -> None:
    for name in (*PORTALS, *WORKERS):
        conditions = {
            each: rule["condition"] for each, rule in services[name]["depends_on"].items()
        }
        assert conditions == {
            "migrate": "service_completed_successfully",
            "postgres": "service_healthy",
            "redis": "service_healthy",
        }, name
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_only_the_portals_keep_the_image_health_check(services: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        disabled = services[name].get("healthcheck", {}).get("disable", False)
        assert disabled is (name not in PORTALS), name


def test_every_process_of_the_portal_shares_one_instance_folder(
    services: dict[str, Any], image: Stage
) -> None:
    instance = f"{image.workdir()}/instance"  # the portal's instance folder beside its code
    assert f"install -d -o openbalie -g openbalie {instance}" in " ".join(image.arguments("RUN"))
    for name in APP_SERVICES:
        assert f"instance:{instance}" in services[name]["volumes"], name
    assert "instance" in compose()["volumes"]


def test_compose_holds_no_secret_and_env_example_names_each(services: dict[str, Any]) -> None:
    assert required_settings() == set(example_settings())
    assert set(SETTINGS) == required_settings()
    environment = services["portal-a"]["environment"]
    for name in ("SECRET_KEY", "MOLLIE_API_KEY", "MAIL_URL"):
        assert environment[name] == f"${{{name}:?set {name} in deploy/.env}}"


def test_the_portals_reach_postgres_redis_and_the_proxy_as_compose_names_them(
    services: dict[str, Any], image: Stage
) -> None:
    environment = {
        k: interpolate(v, SETTINGS) for k, v in services["portal-a"]["environment"].items()
    }
    database = make_url(environment["DATABASE_URL"])
    postgres = services["postgres"]["environment"]
    assert database.drivername == "postgresql+psycopg" and database.host == "postgres"
    assert database.username == postgres["POSTGRES_USER"]
    assert database.database == postgres["POSTGRES_DB"]
    assert database.password == interpolate(postgres["POSTGRES_PASSWORD"], SETTINGS)
    assert environment["RATELIMIT_STORAGE_URI"].startswith("redis://redis:6379/")
    assert int(environment["TRUSTED_PROXIES"]) == 1
    port = image.environment()["PORTAL_PORT"]
    for name in PORTALS:
        assert services[name]["environment"] == services["portal-a"]["environment"]
        assert services[name]["ports"][0].endswith(f":{port}"), name


@pytest.fixture(scope="module")
def image_root(image: Stage) -> Iterator[Path]:
    """The image's /app laid out in a temporary folder (its own instance folder)."""
    with tempfile.TemporaryDirectory(prefix="openbalie-image-") as folder:
        root = Path(folder) / "app"
        lay_out_image(image, root)
        yield root


def environment(image: Stage, root: Path, **network: str) -> dict[str, str]:
    """A container's environment: the image's, the portal's in compose, then `network`."""
    service = compose()["services"]["portal-a"]["environment"]
    image_settings = {
        k: v.replace(str(image.workdir()), str(root)) for k, v in image.environment().items()
    }
    return {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        **image_settings,
        **{name: interpolate(value, SETTINGS) for name, value in service.items()},
        **network,
    }


def command_of(service: dict[str, Any], image: Stage, root: Path) -> list[str]:
    """A service's command (the image's CMD when it sets none), to run here."""
    command = service.get("command") or exec_form(image.arguments("CMD")[-1])
    return on_this_machine(command, image.workdir(), root)


# The Flask CLI as the `flask` program runs it, once per command in one interpreter; then the
# top-level modules that were loaded.
CLI_HELP = """
import json, sys
from flask.cli import cli
for command in json.loads(sys.argv[1]):
    assert cli.main([*command, "--help"], "flask", standalone_mode=False) == 0, command
print(" ".join(sys.modules))
"""


def test_every_command_in_compose_is_a_portal_command_without_the_kiosk_libraries(
    services: dict[str, Any], image: Stage, image_root: Path
) -> None:
    """Each command exists; none loads pyscard or python-escpos: the image installs the
    `postgres` extra, not `kiosk`."""
    commands = [services[name]["command"] for name in ("migrate", *WORKERS)]
    assert all(command[:3] == ["flask", "--app", "portal"] for command in commands)
    done = subprocess.run(
        [sys.executable, "-c", CLI_HELP, json.dumps([command[1:] for command in commands])],
        cwd=image_root,
        env=environment(image, image_root),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = {name.split(".")[0] for name in done.stdout.split()}
    assert "portal" in loaded and not {"smartcard", "escpos", "kiosk", "usb", "PIL"} & loaded


@contextmanager
def serving(command: list[str], root: Path, env: dict[str, str]) -> Iterator[requests.Response]:
    """Run the portal's `command` until the block ends; yields its first answer to /healthz."""
    portal = subprocess.Popen(command, cwd=root, env=env)
    try:
        yield first_health_answer(f"http://127.0.0.1:{env['PORTAL_PORT']}", portal)
    finally:
        portal.terminate()
        portal.wait(timeout=10)


def first_health_answer(url: str, process: subprocess.Popen[bytes]) -> requests.Response:
    """The first answer of /healthz once the portal listens; fails if it exits or never does."""
    deadline = time.monotonic() + START_SECONDS
    while process.poll() is None and time.monotonic() < deadline:
        try:
            return requests.get(f"{url}/healthz", timeout=5)
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"the portal did not start (exit code {process.poll()})")


def catalogue_rows(database: str) -> int:
    """How many branches and subscription types the database holds."""
    engine = create_engine(database)
    with engine.connect() as connection:
        tables = ("branch", "subscription_type")
        found = sum(connection.scalar(text(f"SELECT count(*) FROM {table}")) for table in tables)
    engine.dispose()
    return found


def test_the_image_serves_after_the_migrate_job_and_loads_no_catalogue(
    services: dict[str, Any], image: Stage, image_root: Path
) -> None:
    health = on_this_machine(
        exec_form(image.arguments("HEALTHCHECK")[0]), image.workdir(), image_root
    )
    with postgres_server() as database, redis_server() as redis:
        network = {"DATABASE_URL": database, "RATELIMIT_STORAGE_URI": redis}
        env = environment(image, image_root, **network, PORTAL_HOST="127.0.0.1")
        env["PORTAL_PORT"] = str(free_port())
        migrate = command_of(services["migrate"], image, image_root)
        subprocess.run(migrate, cwd=image_root, env=env, capture_output=True, check=True)
        with serving(
            command_of(services["portal-a"], image, image_root), image_root, env
        ) as answer:
            assert answer.status_code == 200 and answer.json() == {"status": "ok", "database": "ok"}
            assert "Set-Cookie" not in answer.headers
            assert subprocess.run(health, env=env, check=False).returncode == 0
        assert subprocess.run(health, env=env, check=False).returncode == 1
        assert catalogue_rows(database) == 0

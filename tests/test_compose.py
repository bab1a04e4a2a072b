"""compose.yml stays a valid Compose file for the documented deployment.

No Docker engine runs here, so the file is checked the way `docker compose config` would see
it: variables interpolated, YAML merge keys resolved, then parsed by the compose-spec package
(bindings of the Rust compose_spec crate), which rejects unknown keys and malformed values.
Structural checks follow: services, images, commands, health checks, volumes, and every
DIWAN_* variable documented in docs/configuration.md.
"""

import json
import re
from pathlib import Path

import pytest
import yaml
from compose_spec import PyCompose
from sqlalchemy.engine import make_url

from archive_api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "compose.yml"
SECRETS = {"DIWAN_SECRET_KEY": "secret-key", "POSTGRES_PASSWORD": "pg-password", "MINIO_ROOT_PASSWORD": "s3-password"}
BACKENDS = ("postgres", "redis", "opensearch", "minio")
# $$ is a literal dollar; ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}.
VARIABLE = re.compile(r"\$(?:(\$)|\{(\w+)(?:(:?[-?])([^}]*))?\})")


class MissingVariable(KeyError):
    pass


def interpolate(text: str, environment: dict[str, str]) -> str:
    """Substitute variables as Compose does before it reads the file."""

    def substitute(match: re.Match) -> str:
        literal, name, operator, argument = match.groups()
        if literal:
            return "$"
        value = environment.get(name)
        unset = value is None or (value == "" and operator in (":-", ":?"))
        if not unset:
            return value
        if operator in (":-", "-"):
            return argument
        raise MissingVariable(f"{name}: {argument or 'required'}")

    return VARIABLE.sub(substitute, text)


def load(environment: dict[str, str] = SECRETS) -> dict:
    return yaml.safe_load(interpolate(COMPOSE.read_text(), environment))


@pytest.fixture(scope="module")
def compose() -> dict:
    return load()


def _environment(service: dict) -> dict[str, str]:
    return {name: str(value) for name, value in service.get("environment", {}).items()}


def _named_volumes(service: dict) -> list[str]:
    names = []
    for volume in service.get("volumes", []):
        source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
        if source and not source.startswith((".", "/", "~")):
            names.append(source)
    return names


def test_compose_spec_accepts_file(compose):
    parsed = PyCompose.from_json(json.dumps(compose))
    assert set(parsed.service_names()) == set(compose["services"])


def test_compose_spec_rejects_typo():
    broken = load()
    broken["services"]["redis"]["healthcheck"]["interval"] = "often"
    with pytest.raises(ValueError, match="often"):
        PyCompose.from_json(json.dumps(broken))


def test_secrets_required():
    for name in SECRETS:
        environment = {key: value for key, value in SECRETS.items() if key != name}
        with pytest.raises(MissingVariable, match=name):
            load(environment)


def test_services_present(compose):
    assert {"api", "worker", *BACKENDS} <= set(compose["services"])


def test_every_service_has_image(compose):
    for name, service in compose["services"].items():
        assert service.get("image"), name


def test_api_and_worker_share_image(compose):
    api, worker = compose["services"]["api"], compose["services"]["worker"]
    assert api["image"] == worker["image"]
    assert api["build"] == worker["build"] == "."
    assert (ROOT / "Dockerfile").is_file()


def test_api_runs_without_worker(compose):
    command = compose["services"]["api"]["command"]
    assert command[:2] == ["diwan", "serve"]
    assert "--no-worker" in command
    # The container listens on its own interfaces; compose.yml publishes the port on loopback only.
    assert command[command.index("--host") + 1] == "0.0.0.0"  # noqa: S104


def test_worker_command(compose):
    assert compose["services"]["worker"]["command"][:2] == ["diwan", "worker"]


def test_long_running_services_have_healthchecks(compose):
    for name, service in compose["services"].items():
        if service.get("restart") == "no":
            continue
        healthcheck = service.get("healthcheck", {})
        assert healthcheck.get("test"), name
        assert not healthcheck.get("disable", False), name


def test_dependencies_wait_for_health(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], dependency


def test_backends_wait_for_each_other(compose):
    for name in ("api", "worker"):
        assert set(BACKENDS) - {"minio"} <= set(compose["services"][name]["depends_on"])


def test_named_volumes_declared(compose):
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in _named_volumes(service):
            assert volume in declared, f"{name} mounts undeclared volume {volume}"


def test_stateful_services_keep_data(compose):
    for name in ("api", "worker", *BACKENDS):
        assert _named_volumes(compose["services"][name]), name


def test_only_api_published_on_loopback(compose):
    published = {name: service["ports"] for name, service in compose["services"].items() if service.get("ports")}
    assert list(published) == ["api"]
    assert all(str(port).startswith("127.0.0.1:") for port in published["api"])


def test_diwan_variables_documented(compose):
    documented = (ROOT / "docs" / "configuration.md").read_text()
    for name, service in compose["services"].items():
        for variable in _environment(service):
            if variable.startswith("DIWAN_"):
                assert f"`{variable}`" in documented, f"{name}: {variable}"


def test_diwan_variables_are_settings(compose):
    known = {f"DIWAN_{field.upper()}" for field in Settings.model_fields} | {"DIWAN_LOG_LEVEL"}
    for service in compose["services"].values():
        for variable in _environment(service):
            if variable.startswith("DIWAN_"):
                assert variable in known


def test_backend_urls_name_services(compose):
    environment = _environment(compose["services"]["worker"])
    database = make_url(environment["DIWAN_DATABASE_URL"])
    assert database.drivername == "postgresql+psycopg"
    assert database.host == "postgres"
    assert database.password == SECRETS["POSTGRES_PASSWORD"]
    assert environment["DIWAN_BROKER_URL"].startswith("redis://redis:6379/")
    assert environment["DIWAN_SEARCH_URL"].startswith("http://opensearch:9200/")
    assert "http://minio:9000" in environment["DIWAN_OBJECT_STORE"]
    assert environment["DIWAN_ENVIRONMENT"] == "production"


def test_api_and_worker_same_backends(compose):
    api = _environment(compose["services"]["api"])
    worker = _environment(compose["services"]["worker"])
    shared = ("DIWAN_DATABASE_URL", "DIWAN_BROKER_URL", "DIWAN_SEARCH_URL", "DIWAN_OBJECT_STORE", "DIWAN_SECRET_KEY")
    for name in shared:
        assert api[name] == worker[name], name

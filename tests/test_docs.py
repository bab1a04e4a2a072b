"""Every setting, CLI command and API route is documented, and the README keeps its two commands."""

from pathlib import Path

import click
import pytest

from archive_api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _command_paths(group: click.Group, prefix: str = "") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, f"{path} "))
        else:
            paths.append(path)
    return paths


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_setting_documented(name):
    assert f"DIWAN_{name.upper()}" in (DOCS / "configuration.md").read_text()


def test_cli_commands_documented():
    from archive_api.cli import cli

    text = (DOCS / "cli.md").read_text()
    missing = [path for path in _command_paths(cli) if f"diwan {path}" not in text]
    assert missing == []


def test_api_routes_documented(archive):
    from archive_api.app import create_app

    text = (DOCS / "api.md").read_text()
    routes = [route for route in create_app().routes if getattr(route, "path", "").startswith("/api/v1/")]
    missing = [
        f"{method} {route.path}"
        for route in routes
        for method in sorted(route.methods - {"HEAD"})
        if route.path != "/api/v1/openapi.json" and f"`{method} {route.path}`" not in text
    ]
    assert missing == []


@pytest.mark.parametrize("readme", ["README.md", "README.ar.md"])
def test_readme_gives_both_commands(readme):
    text = (ROOT / readme).read_text()
    assert "./scripts/demo.sh" in text
    assert "./scripts/test.sh" in text


def test_ci_runs_the_readme_test_command():
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()

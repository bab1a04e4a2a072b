"""Departments, users, tokens and grants from the command line."""

import sys

import click

from archive_api.access.models import SCOPES
from archive_api.access.service import create_grant
from archive_api.accounts import service
from archive_api.accounts.models import ROLES, Department
from archive_api.audit.service import record
from archive_api.cli.common import reports_errors
from archive_api.context import get_archive
from archive_api.documents.metadata import parse_date
from archive_api.timeutil import end_of_local_day


@click.group()
def department() -> None:
    """Manage departments."""


@department.command("add")
@click.argument("code")
@click.option("--name-ar", required=True, help="Arabic name.")
@click.option("--name-en", required=True, help="English name.")
@click.option(
    "--recruitment", is_flag=True, help="The council's recruitment office: manages announcements and applications."
)
@reports_errors
def department_add(code: str, name_ar: str, name_en: str, recruitment: bool) -> None:
    """Add a department with a short CODE such as HR."""
    with get_archive().db.session() as session:
        added = service.add_department(session, code, name_ar, name_en, recruitment)
        click.echo(f"{added.code}\t{added.name_en}")


@department.command("list")
@reports_errors
def department_list() -> None:
    """List departments."""
    with get_archive().db.session(write=False) as session:
        for row in session.query(Department).order_by(Department.code):
            click.echo(f"{row.code}\t{row.name_ar}\t{row.name_en}")


@click.group()
def user() -> None:
    """Manage staff users."""


@user.command("add")
@click.argument("username")
@click.option("--department", "department_code", required=True, help="Department code.")
@click.option("--role", type=click.Choice(ROLES), required=True, help="admin, clerk or reader.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@reports_errors
def user_add(username: str, department_code: str, role: str, password_stdin: bool) -> None:
    """Add a user; without --password-stdin it can use API tokens only."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with get_archive().db.session() as session:
        added = service.add_user(session, username, department_code, role, password)
        click.echo(f"{added.username}\t{department_code.upper()}\t{added.role}")


@user.command("set-password")
@click.argument("username")
@reports_errors
def user_set_password(username: str) -> None:
    """Set a user's password from the first line of stdin."""
    password = sys.stdin.readline().rstrip("\r\n")
    with get_archive().db.session() as session:
        service.set_password(session, service.get_user(session, username), password)
    click.echo(f"password set for {username}")


@click.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("username")
@reports_errors
def token_create(username: str) -> None:
    """Create an API token for USERNAME and print it (shown only once)."""
    with get_archive().db.session() as session:
        owner = service.get_user(session, username)
        value = service.create_token(session, owner)
        record(session, owner, "token_create", "user", owner.id)
    click.echo(value)


@click.group()
def grant() -> None:
    """Manage read access between departments."""


@grant.command("add")
@click.option("--as", "admin_name", required=True, help="Administrator of the granting department.")
@click.option("--to", "grantee", required=True, help="Code of the department that gets access.")
@click.option("--scope", type=click.Choice(SCOPES), default="department", show_default=True)
@click.option("--type", "doc_type", help="Document type, for --scope doc_type.")
@click.option("--document", "document_id", type=int, help="Record id, for --scope document.")
@click.option("--until", help="Last day of access (YYYY-MM-DD, council time); empty means no end.")
@reports_errors
def grant_add(admin_name, grantee, scope, doc_type, document_id, until) -> None:
    """Let another department read records of your department."""
    expires_at = end_of_local_day(parse_date(until, "end date"))
    with get_archive().db.session() as session:
        admin = service.get_user(session, admin_name)
        created = create_grant(session, admin, grantee, scope, doc_type, document_id, expires_at)
        record(
            session,
            admin,
            "grant",
            "grant",
            created.id,
            {"to": grantee.upper(), "scope": scope, "type": doc_type, "document": document_id, "until": until},
        )
        click.echo(f"grant {created.id}")

"""Application submissions per second at the closing hour, over HTTP against a real `diwan serve`.

Run from the repository root:

    python -m bench.application_submissions                      # 2,000 applicants, 32 clients
    python -m bench.application_submissions --quick              # 100 applicants, 8 clients, for CI
    python -m bench.application_submissions --private-postgres   # also PostgreSQL, on a private server
    DIWAN_DATABASE_URL=postgresql+psycopg://USER@HOST/EMPTY_DB python -m bench.application_submissions

Every applicant submits at once, as happens in the last hour before an announcement closes.
The clients send POST /jobs/ID/apply to `diwan serve --no-worker` on 127.0.0.1, with the
applicant's session cookie and CSRF token, so each request takes the whole path. That path is
the session lookup, the CSRF check, the eligibility check on a fresh profile snapshot, the
announcement row lock, the number, the document links, the history step, the audit entry, the
SMS outbox row and the commit. Measuring the service layer with threads would leave out the web layer
and the single server process that real clients share, which is what limits the closing hour.

Steps for each database (SQLite in the temporary data dir; PostgreSQL when DIWAN_DATABASE_URL
names an empty database, or with --private-postgres, which starts one through
tests/servers/postgres.py):

1. prepare: an open announcement closing in an hour, and the applicants, each with a confirmed
   mobile, a profile that meets the requirements, two documents (archive records inserted
   directly, without files) and a signed-in session made by the applicant service;
2. baseline: the same number of threads insert the rows a submission writes (an application
   with the same snapshot, two document links, a history step and an SMS), one transaction
   each, with nothing else: no lock, no check, no audit;
3. served: the clients submit every application once over HTTP; the report gives submissions
   per second, median and 99th-percentile latency, and errors (any response other than 303);
4. check: one application, one distinct number and one SMS per applicant.

The ratio served/baseline compares submissions per second within the same run. The clients
run in this process and share the machine's cores with the server.
"""

import argparse
import hashlib
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import delete, func, insert, select

from archive_api.cli.common import EXIT_INVALID
from archive_api.errors import N_
from bench import servers
from bench.report import BenchmarkFailed, busy_share, cpu_counters, percentile, print_footer, print_header, ratio

logger = logging.getLogger(__name__)

MS_PER_SECOND = 1000.0
ANNOUNCEMENT_NUMBER = "500/2026"
BASELINE_NUMBER = "501/2026"
STARTUP_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30
REQUEST_TIMEOUT_S = 120
# The clients stop sending after this long, so a stuck server cannot hold the run forever.
RUN_DEADLINE_S = 900
PREPARE_BATCH = 250
FIRST_SERIAL = 40_000_001


@dataclass
class Run:
    """Latencies in milliseconds and the failures of one timed phase."""

    seconds: float = 0.0
    busy: str = ""
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        errors = sum(self.errors.values())
        detail = ", ".join(f"{name} ×{count}" for name, count in sorted(self.errors.items()))
        p50, p99 = percentile(self.latencies_ms, 0.5), percentile(self.latencies_ms, 0.99)
        return (f"{self.done} in {self.seconds:.1f} s = {self.rate:.1f}/s, p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
                f"errors {errors}{f' ({detail})' if detail else ''}, {self.busy}")


# --- preparing the archive -------------------------------------------------------------------------


def _with_check_digit(first_eight: str) -> str:
    total = 0
    for index, char in enumerate(first_eight):
        doubled = int(char) * (2 if index % 2 else 1)
        total += sum(int(digit) for digit in str(doubled))
    return first_eight + str((10 - total % 10) % 10)


def _announcement(session, clerk, number: str, closes_in: timedelta):
    from archive_api.timeutil import to_local, utcnow
    from recruitment.announcements.service import create_announcement, publish

    now = utcnow()
    values = {
        "number": number, "title_ar": "محاسب/ة", "title_en": "Accountant", "ministry": "MOH", "unit": "",
        "vacancies": "20", "governorate": "ramallah", "grade": "", "description": "", "degree_level": "bachelor",
        "majors": "المحاسبة", "min_experience_years": "2", "required_documents": ["national_id", "diploma"],
        "opens_at": to_local(now - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": to_local(now + closes_in).strftime("%Y-%m-%dT%H:%M"),
    }
    announcement = create_announcement(session, clerk, values)
    publish(session, clerk, announcement, now=now - timedelta(days=8))
    return announcement.id


def _add_applicants(session, first: int, count: int, password_hash: str, department_id: int) -> list[int]:
    """Insert `count` applicants with a qualifying profile and two documents; return their ids."""
    from archive_api.documents.models import STATUS_INDEXED, Blob, Document
    from archive_api.timeutil import utcnow
    from recruitment.applicants.models import (
        Applicant,
        ApplicantDocument,
        ApplicantDocumentVersion,
        Education,
        Experience,
    )

    applicants = [
        Applicant(national_id=_with_check_digit(str(FIRST_SERIAL + first + index)),
                  full_name=f"متقدم رقم {first + index} للاختبار", birth_date=date(1995, 1, 1) + timedelta(days=index),
                  mobile=f"+97059{first + index:07d}", mobile_confirmed_at=utcnow(), password_hash=password_hash)
        for index in range(count)
    ]
    session.add_all(applicants)
    session.flush()

    for applicant in applicants:
        session.add(Education(applicant_id=applicant.id, degree_level="bachelor", major="محاسبة",
                              institution="جامعة بيرزيت", graduation_year=2017))
        session.add(Experience(applicant_id=applicant.id, employer="وزارة المالية", job_title="محاسب",
                               start_date=date(2018, 1, 1), end_date=date(2022, 12, 31)))
        for kind in ("national_id", "diploma"):
            sha256 = hashlib.sha256(f"bench-{applicant.id}-{kind}".encode()).hexdigest()
            session.add(Blob(sha256=sha256, size=1, mime="application/pdf"))
            record = Document(department_id=department_id, blob_sha256=sha256, filename=f"{kind}.pdf", title=kind,
                              kind="pdf", page_count=1, status=STATUS_INDEXED, owner_applicant_id=applicant.id)
            document = ApplicantDocument(applicant_id=applicant.id, kind=kind, title=kind)
            session.add_all([record, document])
            session.flush()
            session.add(ApplicantDocumentVersion(applicant_document_id=document.id, version=1, document_id=record.id))
    session.flush()
    return [applicant.id for applicant in applicants]


def prepare(archive, count: int) -> dict:
    """Fill a migrated, empty database; return the announcement ids and each applicant's cookie and CSRF token."""
    from archive_api.accounts.models import User
    from archive_api.accounts.passwords import hash_password
    from archive_api.accounts.service import add_department, add_user
    from recruitment.applicants.accounts import start_session
    from recruitment.applicants.documents import applicants_department
    from recruitment.applicants.models import Applicant

    # The sessions are opened directly and no one signs in, so a random password is enough.
    password_hash = hash_password(secrets.token_urlsafe(16))
    with archive.db.session() as session:
        if session.scalar(select(func.count()).select_from(Applicant)):
            raise BenchmarkFailed(
                N_("The database %(url)s already has applicants; give the benchmark an empty database."),
                url=archive.settings.resolved_database_url,
            )
        add_department(session, "GPC", "ديوان الموظفين العام", "General Personnel Council", recruitment=True)
        add_department(session, "MOH", "وزارة الصحة", "Ministry of Health")
        add_user(session, "bench.clerk", "GPC", "clerk", None)
        clerk = session.scalar(select(User).where(User.username == "bench.clerk"))
        announcement_id = _announcement(session, clerk, ANNOUNCEMENT_NUMBER, timedelta(hours=1))
        baseline_id = _announcement(session, clerk, BASELINE_NUMBER, timedelta(hours=1))
        department_id = applicants_department(session, archive.settings.applicants_department).id

    applicant_ids: list[int] = []
    for first in range(0, count, PREPARE_BATCH):
        with archive.db.session() as session:
            applicant_ids += _add_applicants(session, first, min(PREPARE_BATCH, count - first), password_hash,
                                             department_id)

    sessions = []
    with archive.db.session() as session:
        for applicant_id in applicant_ids:
            cookie, row = start_session(session, session.get(Applicant, applicant_id))
            sessions.append((cookie, row.csrf_token))
    return {"announcement": announcement_id, "baseline": baseline_id, "applicants": applicant_ids,
            "sessions": sessions}


# --- timed phases ------------------------------------------------------------------------------------


def _run_pool(clients: int, jobs: list, work) -> Run:
    """Run work(item) for every item on `clients` threads; each call returns an error name or None."""
    run = Run()
    lock = threading.Lock()
    pending = iter(jobs)
    deadline = time.monotonic() + RUN_DEADLINE_S

    def client() -> None:
        state = {}
        while time.monotonic() < deadline:
            with lock:
                item = next(pending, None)
            if item is None:
                return
            started = time.perf_counter()
            problem = work(item, state)
            elapsed = (time.perf_counter() - started) * MS_PER_SECOND
            with lock:
                if problem is None:
                    run.latencies_ms.append(elapsed)
                else:
                    run.errors[problem] = run.errors.get(problem, 0) + 1

    threads = [threading.Thread(target=client, name=f"client-{index}") for index in range(clients)]
    before, started = cpu_counters(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    run.busy = busy_share(before, cpu_counters())
    return run


def baseline(archive, prepared: dict, clients: int) -> Run:
    """Insert the rows of each submission with nothing else, one transaction per submission."""
    from archive_api.timeutil import utcnow
    from recruitment.applications.models import Application, ApplicationDocument, ApplicationEvent
    from recruitment.notify.models import SmsMessage

    with archive.db.session(write=False) as session:
        snapshot = json.dumps(_sample_snapshot(session, prepared["applicants"][0]), ensure_ascii=False)
        versions = _versions_by_applicant(session)

    def insert_rows(item, _state) -> str | None:
        index, applicant_id = item
        number = f"2026-501-{index:05d}"
        with archive.db.session() as session:
            application_id = session.execute(insert(Application).values(
                number=number, announcement_id=prepared["baseline"], applicant_id=applicant_id, status="submitted",
                snapshot=snapshot, submitted_at=utcnow(), updated_at=utcnow(), degree_level="bachelor",
                search_text=f" {number} ",
            ).returning(Application.id)).scalar_one()
            session.execute(insert(ApplicationDocument), [
                {"application_id": application_id, "version_id": version_id} for version_id in versions[applicant_id]
            ])
            session.execute(insert(ApplicationEvent).values(application_id=application_id, at=utcnow(),
                                                            status="submitted", note="", actor="applicant"))
            session.execute(insert(SmsMessage).values(
                to_number="+970599000000", body=f"وصل طلبك لوظيفة محاسب/ة، ورقمه {number}.", language="ar",
                template="application_received", stage="application", applicant_id=applicant_id,
                application_id=application_id, idempotency_key=f"bench-{number}", status="queued", attempts=0,
                created_at=utcnow(), updated_at=utcnow(),
            ))
        return None

    items = list(enumerate(prepared["applicants"], start=1))
    run = _run_pool(clients, items, insert_rows)
    _remove_baseline_rows(archive, prepared["baseline"])
    return run


def _sample_snapshot(session, applicant_id: int) -> dict:
    from recruitment.applicants.models import Applicant
    from recruitment.applicants.snapshot import profile_snapshot

    return profile_snapshot(session, session.get(Applicant, applicant_id))


def _versions_by_applicant(session) -> dict[int, list[int]]:
    from recruitment.applicants.models import ApplicantDocument, ApplicantDocumentVersion

    found: dict[int, list[int]] = {}
    rows = session.execute(
        select(ApplicantDocument.applicant_id, ApplicantDocumentVersion.id)
        .join(ApplicantDocumentVersion, ApplicantDocumentVersion.applicant_document_id == ApplicantDocument.id)
    )
    for applicant_id, version_id in rows:
        found.setdefault(applicant_id, []).append(version_id)
    return found


def _remove_baseline_rows(archive, announcement_id: int) -> None:
    from recruitment.applications.models import Application, ApplicationDocument, ApplicationEvent
    from recruitment.notify.models import SmsMessage

    ids = select(Application.id).where(Application.announcement_id == announcement_id)
    with archive.db.session() as session:
        session.execute(delete(SmsMessage).where(SmsMessage.application_id.in_(ids)))
        session.execute(delete(ApplicationEvent).where(ApplicationEvent.application_id.in_(ids)))
        session.execute(delete(ApplicationDocument).where(ApplicationDocument.application_id.in_(ids)))
        session.execute(delete(Application).where(Application.announcement_id == announcement_id))


def served(base_url: str, prepared: dict, clients: int) -> Run:
    """Submit every applicant's application once over HTTP; any response other than 303 counts as an error."""
    path = f"/jobs/{prepared['announcement']}/apply"

    def submit(item, state) -> str | None:
        cookie, csrf = item
        if "client" not in state:
            state["client"] = httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT_S)
        try:
            response = state["client"].post(path, data={"csrf_token": csrf}, cookies={"diwan_applicant": cookie},
                                             follow_redirects=False)
        except httpx.HTTPError as error:
            return type(error).__name__
        if response.status_code != 303 or "done=submitted" not in response.headers.get("location", ""):
            return f"HTTP {response.status_code}"
        return None

    return _run_pool(clients, prepared["sessions"], submit)


def check(archive, prepared: dict) -> str:
    from recruitment.applications.models import Application
    from recruitment.notify.models import SmsMessage

    with archive.db.session(write=False) as session:
        numbers = list(session.scalars(select(Application.number)
                                       .where(Application.announcement_id == prepared["announcement"])))
        messages = session.scalar(select(func.count()).select_from(SmsMessage)
                                  .where(SmsMessage.template == "application_received"))
    expected = {f"2026-500-{index:05d}" for index in range(1, len(numbers) + 1)}
    consecutive = "numbered 1..N without gaps" if set(numbers) == expected else "numbers with gaps or duplicates"
    return f"{len(numbers)} applications, {len(set(numbers))} distinct numbers ({consecutive}), {messages} SMS"


# --- the server ----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data_dir: Path, database_url: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    environment = {**os.environ, "DIWAN_LOG_LEVEL": "WARNING", "DIWAN_DATA_DIR": str(data_dir)}
    environment.pop("DIWAN_DATABASE_URL", None)
    if database_url:
        environment["DIWAN_DATABASE_URL"] = database_url
    log = (data_dir.parent / f"serve-{port}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "archive_api", "--data-dir", str(data_dir), "serve", "--no-worker",
         "--host", "127.0.0.1", "--port", str(port)],
        env=environment, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkFailed(N_("diwan serve exited with code %(code)s; see %(log)s."), code=process.returncode,
                                  log=str(data_dir.parent / f"serve-{port}.log"))
        try:
            if httpx.get(f"{base_url}/jobs", timeout=2).status_code == 200:
                return process, base_url
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    stop_server(process)
    raise BenchmarkFailed(N_("diwan serve did not respond on %(url)s within %(seconds)d s."), url=base_url,
                          seconds=STARTUP_TIMEOUT_S)


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- one database ----------------------------------------------------------------------------------------


def run_database(label: str, folder: Path, database_url: str, count: int, clients: int) -> Run:
    """Prepare, measure and check one database, and return its served run; `label` names it in the report."""
    from archive_api.context import Archive
    from archive_api.migrate import upgrade_database
    from archive_api.settings import Settings

    data_dir = folder / label.split()[0] / "data"
    data_dir.mkdir(parents=True)
    settings = Settings(data_dir=data_dir, database_url=database_url)
    upgrade_database(settings.resolved_database_url)
    archive = Archive(settings)
    print(f"-- {label}: {count} applicants, {clients} clients --")
    try:
        started = time.perf_counter()
        prepared = prepare(archive, count)
        print(f"prepare: {count} applicants with a profile, 2 documents and a session each in "
              f"{time.perf_counter() - started:.1f} s")

        bare = baseline(archive, prepared, clients)
        print(f"baseline: bare INSERT of 1 application, 2 document links, 1 history step and 1 SMS per "
              f"transaction, {clients} threads: {bare.summary()}")

        process, base_url = start_server(data_dir, database_url)
        try:
            web = served(base_url, prepared, clients)
        finally:
            stop_server(process)
        print(f"served: POST /jobs/ID/apply over HTTP to diwan serve, {clients} clients: {web.summary()}")
        print(f"check: {check(archive, prepared)}")
        print(f"ratio served/baseline (submissions per second): {ratio(web.rate, bare.rate)}")
    finally:
        archive.close()
    return web


def _private_postgres(folder: Path):
    """Start PostgreSQL through tests/servers/postgres.py; raises servers.ServerMissing when it is not installed."""
    server = servers.start_server("postgres", folder / "servers")
    server.create_database("bench_submissions")
    return server, server.url("bench_submissions")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Small smoke run: 100 applicants, 8 clients.")
    parser.add_argument("--applicants", type=int, help="Applicants who submit (default 2,000).")
    parser.add_argument("--clients", type=int, help="Concurrent HTTP clients and baseline threads (default 32).")
    parser.add_argument("--private-postgres", action="store_true",
                        help="Also run on a private PostgreSQL server started by tests/servers/postgres.py.")
    arguments = parser.parse_args(argv)
    arguments.applicants = arguments.applicants or (100 if arguments.quick else 2000)
    arguments.clients = arguments.clients or (8 if arguments.quick else 32)
    return arguments


def main(argv: list[str] | None = None) -> None:
    try:
        run(parse_arguments(argv))
    except BenchmarkFailed as error:
        print(f"error: {error.render()}", file=sys.stderr)
        sys.exit(EXIT_INVALID)
    except servers.ServerMissing as error:
        # The SQLite figures are printed by then, and the exit code shows that the PostgreSQL ones are missing.
        servers.exit_server_missing(error)


def run(arguments: argparse.Namespace) -> None:
    sys.stdout.reconfigure(line_buffering=True)
    logging.basicConfig(level=logging.WARNING)
    print_header("application submissions at the closing hour")
    external_url = os.environ.get("DIWAN_DATABASE_URL", "")

    with tempfile.TemporaryDirectory(prefix="diwan-bench-submissions-") as name:
        folder = Path(name)
        served_runs = {"sqlite": run_database("sqlite", folder, "", arguments.applicants, arguments.clients)}
        if external_url:
            served_runs["postgresql"] = run_database("postgresql", folder, external_url, arguments.applicants,
                                                     arguments.clients)
        if arguments.private_postgres:
            server, url = _private_postgres(folder)
            try:
                label = "postgresql-private (a server started by tests/servers/postgres.py)"
                served_runs["postgresql-private"] = run_database(label, folder, url, arguments.applicants,
                                                                 arguments.clients)
            finally:
                server.stop()
    for name, served_run in served_runs.items():
        if name != "sqlite":
            print(f"ratio {name}/sqlite served (submissions per second): "
                  f"{ratio(served_run.rate, served_runs['sqlite'].rate)}")
    print_footer()


if __name__ == "__main__":
    main()

"""A private OpenSearch (or Elasticsearch) node for the scale-out tests, with an index alias per test.

The node runs from the minimal "integ-test" distribution that Maven Central serves, unpacked once
into a cache directory, as a child process on 127.0.0.1 with a 512 MiB heap and single-node
discovery. No security plugin is enabled, because OpenSearch's integ-test zip has none and
Elasticsearch's runs with xpack.security.enabled=false. OpenSearch's zip has no telemetry
plugin either, and Elasticsearch's APM module runs with telemetry.metrics.enabled and
telemetry.tracing.enabled set to false.

OpenSearch's integ-test zip lacks the analysis-common module, which contains the Arabic filters.
Its plugin jar from Maven Central is unpacked as a module next to transport-netty4. Elasticsearch
has no such jar there, so its node runs without the Arabic filters.

Both refuse to run as root. Under root the node runs as the `diwan-test` user, which
scripts/install-test-servers.sh creates. That user cannot enter pytest's temporary directories
(pytest keeps their parent at mode 0700), so the node's data, configuration and logs then live
in a directory under the system temporary directory, removed when the server stops. The
node's console output goes to <workdir>/opensearch/node.log in every case.

Set DIWAN_TEST_SEARCH_ENGINE=elasticsearch to run Elasticsearch 8.17.0 instead of OpenSearch
2.19.1. Ahead of the test run, `python -m tests.servers.opensearch install [opensearch|elasticsearch]`
fetches and unpacks a distribution, and `... check [opensearch|elasticsearch]` starts a node and
runs the Arabic filters through its _analyze API. Both need only the standard library, Java and
Maven, because scripts/install-test-servers.sh runs them before the virtualenv exists.
"""

import json
import logging
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.servers import free_port

logger = logging.getLogger(__name__)

NAME = "opensearch"
SERVICE_USER = "diwan-test"
HEAP = "512m"
START_TIMEOUT_S = 180
STOP_TIMEOUT_S = 60
ENGINE_VARIABLE = "DIWAN_TEST_SEARCH_ENGINE"
CACHE_VARIABLE = "DIWAN_TEST_SERVERS_CACHE"


@dataclass(frozen=True)
class Engine:
    name: str
    version: str
    # group:artifact:version:packaging on Maven Central
    artifact: str
    # Prefix of the launcher's environment variables (OPENSEARCH_PATH_CONF, ES_PATH_CONF, ...).
    variable_prefix: str
    config_file: str
    extra_settings: tuple[tuple[str, str], ...] = ()
    # Plugin jars unpacked as modules: (artifact, module name, plugin class).
    modules: tuple[tuple[str, str, str], ...] = ()


OPENSEARCH = Engine(
    name="opensearch",
    version="2.19.1",
    artifact="org.opensearch.distribution.integ-test-zip:opensearch:2.19.1:zip",
    variable_prefix="OPENSEARCH",
    config_file="opensearch.yml",
    modules=(
        (
            "org.opensearch.plugin:analysis-common:2.19.1:jar",
            "analysis-common",
            "org.opensearch.analysis.common.CommonAnalysisPlugin",
        ),
    ),
)
ELASTICSEARCH = Engine(
    name="elasticsearch",
    version="8.17.0",
    artifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:8.17.0:zip",
    variable_prefix="ES",
    config_file="elasticsearch.yml",
    extra_settings=(
        ("xpack.security.enabled", "false"),
        ("telemetry.metrics.enabled", "false"),
        ("telemetry.tracing.enabled", "false"),
    ),
)
ENGINES = {engine.name: engine for engine in (OPENSEARCH, ELASTICSEARCH)}


class SearchServerNotInstalled(RuntimeError):
    pass



def selected_engine() -> Engine:
    name = os.environ.get(ENGINE_VARIABLE, OPENSEARCH.name)
    if name not in ENGINES:
        raise ValueError(f"{ENGINE_VARIABLE}={name!r} is unknown. Set it to opensearch or elasticsearch.")
    return ENGINES[name]


def cache_directory() -> Path:
    """Directory of the unpacked distributions, readable by the service user under root."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured)
    if os.geteuid() == 0:
        # Root's home is closed to other users, so the service user could not read it there.
        return Path("/var/cache/diwan-test-servers")
    return Path.home() / ".cache" / "diwan-test-servers"


def java_home() -> Path:
    configured = os.environ.get("JAVA_HOME")
    if configured:
        return Path(configured)
    java = shutil.which("java")
    if java is None:
        raise SearchServerNotInstalled("java is not installed; run scripts/install-test-servers.sh")
    return Path(java).resolve().parents[1]


# Installation


def maven_artifact(coordinates: str) -> Path:
    """Return the file of group:artifact:version:packaging in the local Maven repository, fetching it if missing."""
    group, artifact, version, packaging = coordinates.split(":")
    repository = Path.home() / ".m2" / "repository"
    folder = repository / Path(*group.split(".")) / artifact / version
    path = folder / f"{artifact}-{version}.{packaging}"
    if path.exists():
        return path

    maven = shutil.which("mvn")
    if maven is None:
        raise SearchServerNotInstalled(
            f"{path.name} is not in ~/.m2 and mvn is missing; run scripts/install-test-servers.sh"
        )
    logger.info("fetching %s with Maven", coordinates)
    subprocess.run(
        # Maven finds ~ from the password database, not from $HOME, so the repository is named
        # explicitly: under `sudo` without -H the two differ.
        [
            maven,
            "-q",
            "-B",
            "dependency:get",
            f"-Dartifact={coordinates}",
            "-Dtransitive=false",
            f"-Dmaven.repo.local={repository}",
        ],
        check=True,
        timeout=900,
    )
    return path


def _unzip(archive: Path, target: Path) -> None:
    """Extract a zip, keeping the Unix permission bits that zipfile drops (bin/ must stay executable)."""
    with zipfile.ZipFile(archive) as bundle:
        for member in bundle.infolist():
            extracted = Path(bundle.extract(member, target))
            mode = member.external_attr >> 16
            if mode and not member.is_dir():
                extracted.chmod(stat.S_IMODE(mode) | 0o444)


def _add_module(home: Path, engine: Engine, coordinates: str, name: str, classname: str) -> None:
    jar = maven_artifact(coordinates)
    directory = home / "modules" / name
    directory.mkdir(parents=True)
    shutil.copy(jar, directory / jar.name)
    # No extended plugins, because the jar's only tie to another plugin is a Painless extension
    # (META-INF/services), which only lang-painless reads, and the integ-test zip lacks it.
    descriptor = {
        "description": "Common analysis components, added by Diwan's test setup",
        "version": engine.version,
        "name": name,
        "classname": classname,
        "java.version": "11",
        f"{engine.name}.version": engine.version,
        "custom.foldername": "",
        "extended.plugins": "",
        "has.native.controller": "false",
    }
    lines = [f"{key}={value}" for key, value in descriptor.items()]
    (directory / "plugin-descriptor.properties").write_text("\n".join(lines) + "\n")


def install(engine: Engine) -> Path:
    """Unpack the distribution and its extra modules into the cache once, and return its home directory."""
    home = cache_directory() / f"{engine.name}-{engine.version}"
    if (home / "bin" / engine.name).exists():
        return home

    archive = maven_artifact(engine.artifact)
    home.parent.mkdir(parents=True, exist_ok=True)
    home.parent.chmod(0o755)
    with tempfile.TemporaryDirectory(dir=home.parent, prefix=".unpack-") as temporary:
        _unzip(archive, Path(temporary))
        unpacked = Path(temporary) / f"{engine.name}-{engine.version}"
        for coordinates, name, classname in engine.modules:
            _add_module(unpacked, engine, coordinates, name, classname)
        unpacked.chmod(0o755)
        try:
            unpacked.rename(home)
        except OSError:
            # Another process unpacked it at the same moment.
            if not (home / "bin" / engine.name).exists():
                raise
    logger.info("%s %s unpacked into %s", engine.name, engine.version, home)
    return home


# Running


def _service_user() -> str | None:
    """User that runs the node: diwan-test under root, otherwise the current user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        raise SearchServerNotInstalled(
            f"the {SERVICE_USER} user is missing; create it with scripts/install-test-servers.sh"
        ) from None
    return SERVICE_USER


def _run_directory(directory: Path, user: str | None) -> Path:
    """Directory for the node's configuration, data and logs, owned by the user that runs it."""
    if user is None:
        run = directory / "node"
        run.mkdir()
        return run
    run = Path(tempfile.mkdtemp(prefix="diwan-test-opensearch-"))
    record = pwd.getpwnam(user)
    os.chown(run, record.pw_uid, record.pw_gid)
    return run


def _parent_death_signal() -> list[str]:
    """Return a command prefix that stops the node when the process that started it dies.

    The node runs in its own session, so without it a test run killed by a timeout would leave
    the node running. setpriv comes with util-linux; where it is missing, stop() is the only way.
    """
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return []
    return [setpriv, "--pdeathsig", "TERM", "--"]


def alias_name(test_id: str, number: int) -> str:
    """A valid, unique alias name that still shows the test's name."""
    slug = re.sub(r"[^a-z0-9]+", "-", test_id.lower()).strip("-")
    return f"diwan-t{number}-{slug}"[:90].rstrip("-")


class SearchServer:
    """A running node; settings_for() gives each test an alias of its own."""

    def __init__(self, engine: Engine, home: Path, directory: Path, run: Path, user: str | None) -> None:
        self.engine = engine
        self.home = home
        self.directory = directory
        self.run = run
        self.user = user
        self.port = free_port()
        self.transport_port = free_port()
        self.process: subprocess.Popen | None = None
        self._aliases: dict[str, list[str]] = {}
        self._counter = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.directory / "node.log"

    def client(self):
        """Return an httpx client for the node (httpx is imported here, as install and check run without it)."""
        import httpx

        return httpx.Client(base_url=self.url, timeout=30, trust_env=False)

    def request(self, method: str, path: str, body: dict | None = None, **params: str) -> tuple[int, dict]:
        """Send one request with the standard library and return the status and the JSON body.

        Proxies from the environment are ignored, because the node listens on 127.0.0.1 only.
        """
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        data = json.dumps(body).encode() if body is not None else None
        # The URL is always http://127.0.0.1:<port>, never a file: or user-supplied one.
        request = urllib.request.Request(self.url + path + query, data=data, method=method)  # noqa: S310
        request.add_header("Content-Type", "application/json")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def configure(self) -> None:
        """Write the node's configuration directory: the distribution's files plus our settings."""
        config = self.run / "config"
        shutil.copytree(self.home / "config", config)
        settings = {
            "cluster.name": "diwan-test",
            "node.name": "diwan-test",
            "network.host": "127.0.0.1",
            "http.port": str(self.port),
            "transport.port": str(self.transport_port),
            "discovery.type": "single-node",
            "path.data": str(self.run / "data"),
            "path.logs": str(self.run / "logs"),
            # release() deletes a test's indices with a wildcard.
            "action.destructive_requires_name": "false",
            # A nearly full test disk must not turn the indices read-only.
            "cluster.routing.allocation.disk.threshold_enabled": "false",
            **dict(self.engine.extra_settings),
        }
        lines = [f"{key}: {value}" for key, value in settings.items()]
        (config / self.engine.config_file).write_text("\n".join(lines) + "\n")
        self._write_jvm_options(config)
        for name in ("data", "logs", "tmp"):
            (self.run / name).mkdir(exist_ok=True)
        if self.user is not None:
            record = pwd.getpwnam(self.user)
            for path in [self.run, *self.run.rglob("*")]:
                os.chown(path, record.pw_uid, record.pw_gid)

    def _write_jvm_options(self, config: Path) -> None:
        """Set the heap, and point the GC log, heap dumps and crash files into the run directory.

        The launcher changes to the distribution's directory, where the relative paths of the
        stock jvm.options (logs/gc.log, data) are not writable by the service user.
        """
        options = (config / "jvm.options").read_text()
        options = options.replace("=logs/", f"={self.run}/logs/")
        options = options.replace("HeapDumpPath=data", f"HeapDumpPath={self.run}/data")
        (config / "jvm.options").write_text(options)
        (config / "jvm.options.d" / "diwan-test.options").write_text(f"-Xms{HEAP}\n-Xmx{HEAP}\n")

    def _environment(self) -> dict[str, str]:
        prefix = self.engine.variable_prefix
        java = str(java_home())
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "JAVA_HOME": java,
            f"{prefix}_JAVA_HOME": java,
            f"{prefix}_PATH_CONF": str(self.run / "config"),
            f"{prefix}_TMPDIR": str(self.run / "tmp"),
        }
        if self.user is not None:
            environment["HOME"] = str(self.run)
        return environment

    def launch(self) -> None:
        """Start the node as a child process in its own session and wait until it responds."""
        identity = {"user": self.user, "group": self.user, "extra_groups": []} if self.user else {}
        # The log is opened here, so the node writes it through the inherited descriptor even
        # where its own user may not enter the directory.
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*_parent_death_signal(), str(self.home / "bin" / self.engine.name)],
                env=self._environment(),
                cwd=self.run,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **identity,
            )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.engine.name} exited with code {self.process.returncode}; see {self.log_path}"
                )
            try:
                status, _ = self.request("GET", "/_cluster/health", wait_for_status="yellow", timeout="1s")
                if status == 200:
                    return
            except (OSError, ValueError):
                # Refused connections, resets and half-written replies while the node starts.
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.engine.name} did not respond on port {self.port} within {START_TIMEOUT_S} s")

    def stop_process(self) -> None:
        """Stop the node and keep its data, so launch() can start it again."""
        if self.process is None or self.process.poll() is not None:
            return
        # The launcher script and the JVM it starts share the session created in launch().
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def settings_for(self, test_id: str) -> dict[str, str]:
        with self._lock:
            self._counter += 1
            alias = alias_name(test_id, self._counter)
            self._aliases.setdefault(test_id, []).append(alias)
        return {"DIWAN_SEARCH_URL": f"{self.url}/{alias}"}

    def release(self, test_id: str) -> None:
        """Delete the indices that the test's aliases and their rebuilds created."""
        with self._lock:
            aliases = self._aliases.pop(test_id, [])
        for alias in aliases:
            self.request("DELETE", f"/{alias}-*", expand_wildcards="all")

    def stop(self) -> None:
        self.stop_process()
        if self.run != self.directory / "node":
            shutil.rmtree(self.run, ignore_errors=True)


def start(workdir: Path, engine: Engine | None = None) -> SearchServer:
    """Install the distribution if needed, start a node under workdir/opensearch and wait for it."""
    engine = engine or selected_engine()
    home = install(engine)
    user = _service_user()
    directory = workdir / NAME
    directory.mkdir(parents=True, exist_ok=True)

    server = SearchServer(engine, home, directory, _run_directory(directory, user), user)
    try:
        server.configure()
        server.launch()
    except BaseException:
        server.stop()
        raise
    logger.info("%s %s started port=%s", engine.name, engine.version, server.port)
    return server


# Checks after installing


# Classes that must be in the installed distribution for ARABIC_CHAIN in search/elasticsearch_backend.py:
# the filter factories of the analysis-common module, and Lucene's filters they wrap.
ARABIC_CLASSES = {
    "modules/analysis-common": (
        "org/opensearch/analysis/common/ArabicNormalizationFilterFactory.class",
        "org/opensearch/analysis/common/ArabicStemTokenFilterFactory.class",
    ),
    "lib": ("org/apache/lucene/analysis/ar/ArabicNormalizationFilter.class",),
}
# ARABIC_CHAIN applied to a text whose expected terms differ from its words, so the check fails
# if a filter is missing or silently does nothing: the hamza on the alef is dropped, the article
# and the feminine ending are stemmed away, and Arabic-Indic digits become ASCII digits.
ARABIC_SAMPLE = "أحمد المدرسة ١٢٣"
ARABIC_FILTERS = ["lowercase", "decimal_digit", "arabic_normalization", "arabic_stem"]
ARABIC_TERMS = ["احمد", "مدرس", "123"]


def missing_arabic_classes(home: Path) -> list[str]:
    """Return the Arabic analysis classes that no jar under the distribution's home contains."""
    missing = []
    for folder, classes in ARABIC_CLASSES.items():
        names: set[str] = set()
        for jar in sorted((home / folder).glob("*.jar")):
            with zipfile.ZipFile(jar) as bundle:
                names.update(bundle.namelist())
        missing += [f"{folder}/*.jar: {name}" for name in classes if name not in names]
    return missing


def analyze_arabic_sample(server: "SearchServer") -> list[str]:
    """Run ARABIC_SAMPLE through the node's _analyze API with ARABIC_FILTERS, and return the terms."""
    body = {"tokenizer": "standard", "filter": ARABIC_FILTERS, "text": ARABIC_SAMPLE}
    status, reply = server.request("POST", "/_analyze", body)
    if status != 200:
        raise RuntimeError(f"_analyze with {ARABIC_FILTERS} failed with HTTP {status}: {reply}")
    return [token["token"] for token in reply["tokens"]]


def check_arabic_analysis(engine: Engine) -> list[str]:
    """Start a node of the installed distribution, analyse the Arabic sample, stop it, and return the terms.

    Raises SearchServerNotInstalled when the distribution lacks a class or the terms are wrong.
    """
    home = install(engine)
    missing = missing_arabic_classes(home)
    if missing:
        raise SearchServerNotInstalled(
            f"{home} lacks the Arabic analysis classes {missing}; remove that directory and install again"
        )

    with tempfile.TemporaryDirectory(prefix="diwan-opensearch-check-") as workdir:
        server = start(Path(workdir), engine)
        try:
            terms = analyze_arabic_sample(server)
        finally:
            server.stop()
    if terms != ARABIC_TERMS:
        raise SearchServerNotInstalled(
            f"the Arabic filters turned {ARABIC_SAMPLE!r} into {terms}, expected {ARABIC_TERMS}"
        )
    return terms


USAGE = """usage: python -m tests.servers.opensearch install|check [opensearch|elasticsearch]
  install  fetch and unpack the distribution into the cache (DIWAN_TEST_SERVERS_CACHE)
  check    also start a node and run the Arabic filters through _analyze (OpenSearch only)"""


def main(arguments: list[str]) -> int:
    if not 1 <= len(arguments) <= 2 or arguments[0] not in ("install", "check"):
        print(USAGE, file=sys.stderr)
        return 2
    if len(arguments) == 2 and arguments[1] not in ENGINES:
        print(f"unknown engine {arguments[1]!r}\n{USAGE}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    engine = ENGINES[arguments[1]] if len(arguments) == 2 else selected_engine()

    if arguments[0] == "install":
        print(install(engine))
        return 0
    if not engine.modules:
        print(f"{engine.name} {engine.version} has no analysis-common module here, so no Arabic filters to check")
        return 1
    terms = check_arabic_analysis(engine)
    print(f"{engine.name} {engine.version}: Arabic analysis works ({ARABIC_SAMPLE} -> {' '.join(terms)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

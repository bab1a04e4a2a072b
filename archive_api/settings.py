"""Typed settings, read once from DIWAN_* environment variables.

Every backend is picked by one URL here; nothing else in the code reads the environment.
"""

import functools
import secrets
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MEGABYTE = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DIWAN_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Directory that holds every embedded backend.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in the data dir.")
    object_store: str = Field("", description="file:///path or s3://bucket?...; empty means data_dir/objects.")
    search_url: str = Field("", description="tantivy:///path or http(s)://elasticsearch; empty means data_dir/index.")
    broker_url: str = Field("", description="Celery broker URL; empty means a filesystem broker in the data dir.")
    inbox_dir: Path | None = Field(None, description="Scanner inbox, a folder per department; empty: data_dir/inbox.")
    secret_key: str = Field("", description="Signs session cookies; empty means a random key kept in the data dir.")
    environment: str = Field("development", description="development or production.")

    max_upload_bytes: int = Field(200 * MEGABYTE, description="Largest accepted file, in bytes.")
    max_pages: int = Field(1000, description="Most pages accepted in one document.")
    max_image_pixels: int = Field(300_000_000, description="Most pixels in one image or embedded PDF image.")
    max_inflated_bytes: int = Field(512 * MEGABYTE, description="Most bytes one PDF stream may decompress to.")
    ocr_languages: str = Field("ara+eng", description="Tesseract language string.")
    ocr_dpi: int = Field(300, description="Resolution at which pages are rendered or rescaled for OCR.")
    worker_memory_mb: int = Field(2048, description="Address-space cap of each extraction process, in MiB.")
    sweeper_interval_s: int = Field(60, description="How often unfinished documents are re-queued, in seconds.")
    stale_after_s: int = Field(300, description="A document untouched this long in a working state is re-queued.")
    lease_s: int = Field(120, description="How long a worker owns a document without renewing, in seconds.")
    broker_visibility_timeout_s: int = Field(
        3600, ge=60, description="Redis broker: seconds before a task whose worker died is handed to another worker."
    )
    page_timeout_s: int = Field(
        180, description="Longest extraction of one page before it counts as failed, in seconds."
    )
    extraction_jobs: int = Field(
        0, description="Parallel extractions in one worker or CLI run; 0 means one per CPU core."
    )
    max_attempts: int = Field(3, description="Extraction attempts before a document is marked failed.")
    applicants_department: str = Field("APPLICANTS", description="Department code that owns applicants' documents.")
    default_language: str = Field("ar", description="Interface language when the user has not chosen one.")
    public_base_url: str = Field(
        "", description="Public address of the site for feed and share links; empty means the request's own."
    )
    sms_gateway_url: str = Field(
        "", description="SMS gateway: empty keeps messages in the outbox; kannel+http://USER:PASSWORD@HOST:PORT/..."
    )
    sms_report_url: str = Field(
        "", description="Address at which the SMS gateway calls Diwan with delivery reports; empty: public base URL."
    )
    sms_rate_per_s: float = Field(
        20.0, ge=0, description="Maximum SMS handed to the gateway per second; 0 means no limit."
    )

    @field_validator("environment")
    @classmethod
    def _known_environment(cls, value: str) -> str:
        if value not in {"development", "production"}:
            raise ValueError(f"DIWAN_ENVIRONMENT is {value!r}; set it to development or production")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _absolute_base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and (not value.startswith(("http://", "https://")) or "?" in value or "#" in value):
            raise ValueError(
                f"DIWAN_PUBLIC_BASE_URL is {value!r}; set it to an http(s) address without a query, "
                "such as https://jobs.example.ps"
            )
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir.resolve() / 'diwan.sqlite3'}"

    @property
    def resolved_object_store(self) -> str:
        return self.object_store or f"file://{self.data_dir.resolve() / 'objects'}"

    @property
    def resolved_search_url(self) -> str:
        return self.search_url or f"tantivy://{self.data_dir.resolve() / 'index'}"

    @property
    def resolved_inbox_dir(self) -> Path:
        return (self.inbox_dir or self.data_dir / "inbox").resolve()

    @property
    def resolved_broker_url(self) -> str:
        # The host part is ignored by the filesystem transport, but kombu warns when it is empty.
        return self.broker_url or "filesystem://localhost//"

    @property
    def embedded_broker(self) -> bool:
        return not self.broker_url

    def resolved_secret_key(self) -> str:
        """Return the signing key, creating a random one in the data dir for development."""
        if self.secret_key:
            return self.secret_key
        if self.environment == "production":
            raise RuntimeError("DIWAN_SECRET_KEY is missing; production needs an explicit secret key")
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget cached settings so that changed DIWAN_* variables take effect (CLI options, tests)."""
    get_settings.cache_clear()

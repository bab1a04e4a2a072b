"""Logging set-up: one logger per module, and the request or task id on every line.

Log record ids, never personal data (names, national ids, phone numbers).
"""

import contextvars
import logging
import os

# The id of the HTTP request or Celery task being served, added to every log line.
current_context: contextvars.ContextVar[str] = contextvars.ContextVar("diwan_log_context", default="-")


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.context = current_context.get()
        return True


def configure_logging(level: str | None = None) -> None:
    """Send log lines to stderr with time, level, logger and context id.

    A later call sets the level when given one and otherwise changes nothing, so the server
    keeps the level its command chose.
    """
    root = logging.getLogger()
    configured = any(getattr(handler, "_diwan", False) for handler in root.handlers)
    if level or not configured:
        root.setLevel(level or os.environ.get("DIWAN_LOG_LEVEL", "INFO"))
    if configured:
        return
    handler = logging.StreamHandler()
    handler._diwan = True  # type: ignore[attr-defined]
    handler.addFilter(_ContextFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(context)s] %(message)s"))
    root.addHandler(handler)
    # Third-party loggers that print per-request or per-page noise at INFO.
    for noisy in ("pdfminer", "PIL", "multipart", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

"""The Celery application: a filesystem broker in the data dir by default, Redis at scale."""

from celery import Celery

from archive_api.settings import Settings, get_settings

app = Celery("diwan", include=["ingest.tasks"])


def configure_celery(settings: Settings | None = None) -> Celery:
    """Point the Celery app at the configured broker; call before sending or consuming tasks."""
    settings = settings or get_settings()
    app.conf.update(
        broker_url=settings.resolved_broker_url,
        task_ignore_result=True,
        # A task is acknowledged only after it ran, and a worker takes one task at a time, so
        # a killed worker's task goes back to the queue (the sweeper covers brokers that drop it).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": settings.broker_visibility_timeout_s},
        worker_hijack_root_logger=False,
    )
    if settings.embedded_broker:
        folder = settings.data_dir.resolve() / "broker"
        (folder / "queue").mkdir(parents=True, exist_ok=True)
        (folder / "processed").mkdir(parents=True, exist_ok=True)
        (folder / "control").mkdir(parents=True, exist_ok=True)
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
            "polling_interval": 0.5,
        }
    return app

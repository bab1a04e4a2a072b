"""Queueing tasks on the embedded filesystem broker."""


def test_enqueue_follows_data_dir(tmp_path, monkeypatch):
    from archive_api.settings import reset_settings
    from ingest.queue import enqueue

    for name in ("one", "two"):
        monkeypatch.setenv("DIWAN_DATA_DIR", str(tmp_path / name))
        reset_settings()
        enqueue([1])
        assert len(list((tmp_path / name / "broker" / "queue").iterdir())) == 1


def test_visibility_timeout_follows_setting(tmp_path, monkeypatch):
    from archive_api.settings import reset_settings
    from ingest.celery_app import configure_celery

    monkeypatch.setenv("DIWAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DIWAN_BROKER_URL", "redis://127.0.0.1:6399/0")
    monkeypatch.setenv("DIWAN_BROKER_VISIBILITY_TIMEOUT_S", "7200")
    reset_settings()

    options = dict(configure_celery().conf.broker_transport_options)
    # Later tests in this process get the embedded broker back.
    monkeypatch.delenv("DIWAN_BROKER_URL")
    reset_settings()
    configure_celery()

    assert options["visibility_timeout"] == 7200

"""Queueing tasks on the embedded filesystem broker."""


def test_enqueue_follows_data_dir(tmp_path, monkeypatch):
    from archive_api.settings import reset_settings
    from ingest.queue import enqueue

    for name in ("one", "two"):
        monkeypatch.setenv("DIWAN_DATA_DIR", str(tmp_path / name))
        reset_settings()
        enqueue([1])
        assert len(list((tmp_path / name / "broker" / "queue").iterdir())) == 1

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from archive_api.models import Base


def test_migrations_match_models(archive):
    with archive.db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []

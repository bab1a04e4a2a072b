"""open_search_backend: the URL forms it accepts and the ones it rejects."""

import pytest

from search.backends import InvalidSearchUrl, open_search_backend
from search.tantivy_backend import TantivySearch


def test_tantivy_url_opens(tmp_path):
    backend = open_search_backend(f"tantivy://{tmp_path / 'index'}")
    assert isinstance(backend, TantivySearch)
    assert (tmp_path / "index" / "current").is_symlink()
    backend.close()


def test_tantivy_url_percent_encoded(tmp_path):
    backend = open_search_backend(f"tantivy://{tmp_path}/my%20index")
    assert (tmp_path / "my index" / "current").is_symlink()
    backend.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("tantivy://data/index", "absolute path"),
        ("tantivy:relative/index", "absolute path"),
        ("tantivy://", "absolute path"),
        ("http://127.0.0.1:9200/", "alias"),
        ("ftp://127.0.0.1/index", "unknown scheme"),
        ("/var/lib/diwan/index", "unknown scheme"),
        ("", "unknown scheme"),
    ],
)
def test_rejected_urls(url, message):
    with pytest.raises(InvalidSearchUrl) as raised:
        open_search_backend(url)
    assert message in str(raised.value)

from datetime import date, timedelta

import pytest

from archive_api.documents.metadata import InvalidMetadata, clean_metadata, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-07-21", date(2019, 7, 21)),
        ("21/07/2019", date(2019, 7, 21)),
        ("٢١/٠٧/٢٠١٩", date(2019, 7, 21)),
        ("", None),
    ],
)
def test_parse_date_formats(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2019-13-01", "yesterday", "21.07.2019", "2019/07/21"])
def test_parse_date_invalid(text):
    with pytest.raises(InvalidMetadata) as raised:
        parse_date(text, "document date")
    assert text in str(raised.value)
    assert "YYYY-MM-DD" in str(raised.value)


def test_metadata_normalised():
    metadata = clean_metadata(" عقد عمل ", " Contract ", "٠٠٤٢", "2019-07-21")
    assert metadata.title == "عقد عمل"
    assert metadata.doc_type == "contract"
    assert metadata.employee_number == "0042"


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"title": "x" * 501}, "501"),
        ({"doc_type": "contract; drop"}, "contract; drop"),
        ({"employee_number": "12 34"}, "12 34"),
        ({"doc_date": (date.today() + timedelta(days=2)).isoformat()}, "future"),
    ],
)
def test_metadata_invalid(fields, named):
    with pytest.raises(InvalidMetadata) as raised:
        clean_metadata(**fields)
    assert named in str(raised.value)


def test_arabic_doc_type_allowed():
    assert clean_metadata(doc_type="شهادة").doc_type == "شهادة"

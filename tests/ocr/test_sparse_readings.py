"""Choosing between the automatic and the sparse reading of a page, on made-up word boxes."""

from ocr.sparse import combine_readings, needs_sparse_reading
from ocr.tesseract import Word


def _word(text, confidence, left, top, width=100, height=60, block=1, line=1):
    return Word(text=text, confidence=confidence, left=left, top=top, width=width,
                height=height, page=1, block=block, paragraph=1, line=line)


def _texts(words):
    return [word.text for word in words]


def test_few_confident_words_sparse():
    words = [_word(f"w{number}", 50.0, 100 * number, 100) for number in range(30)]

    assert needs_sparse_reading(words)


def test_many_confident_words_not_sparse():
    words = [_word(f"w{number}", 90.0, 100 * number, 100) for number in range(30)]

    assert not needs_sparse_reading(words)


def test_higher_mean_confidence_kept():
    fragments = [_word("ab", 60.0, 500, 100), _word("cd", 62.0, 400, 100),
                 _word("ef", 58.0, 300, 100)]
    sparse = [_word("طلب", 90.0, 420, 100, width=180)]

    combined = combine_readings(fragments, sparse)

    assert _texts(combined) == ["طلب"]


def test_equal_means_more_words_kept():
    layout = [_word("طلب", 90.0, 500, 100), _word("نقل", 90.0, 380, 100)]
    sparse = [_word("طلبنقل", 91.0, 380, 100, width=220)]

    combined = combine_readings(layout, sparse)

    assert _texts(combined) == ["طلب", "نقل"]


def test_line_found_once_added_below():
    layout = [_word("الاسم", 92.0, 500, 100), _word("رقم", 91.0, 300, 400, block=2)]
    sparse = [_word("الاسم", 90.0, 500, 100), _word("التوقيع", 85.0, 100, 800, block=3)]

    combined = combine_readings(layout, sparse)

    assert _texts(combined) == ["الاسم", "رقم", "التوقيع"]


def test_overlapping_line_not_added():
    layout = [_word("الاسم", 92.0, 500, 100), _word("الكامل", 91.0, 380, 100)]
    sparse = [_word("الاسم", 90.0, 500, 100), _word("الكامل", 80.0, 380, 100),
              _word("توقيع", 85.0, 420, 110, block=2)]

    combined = combine_readings(layout, sparse)

    assert _texts(combined) == ["الاسم", "الكامل"]


def test_doubtful_line_not_added():
    layout = [_word("الاسم", 92.0, 500, 100)]
    sparse = [_word("الاسم", 90.0, 500, 100), _word("xq", 30.0, 100, 800, block=2)]

    combined = combine_readings(layout, sparse)

    assert _texts(combined) == ["الاسم"]


def test_sparse_row_joined_left_to_right():
    layout = [_word("ab", 40.0, 500, 100)]
    sparse = [_word("الرحمن", 90.0, 300, 100, block=2),
              _word("بسم", 90.0, 700, 100, block=1), _word("الله", 90.0, 500, 105, block=1)]

    combined = combine_readings(layout, sparse)

    assert _texts(combined) == ["الرحمن", "الله", "بسم"]
    assert len({word.line_key for word in combined}) == 1


def test_sparse_rows_top_to_bottom():
    layout = []
    sparse = [_word("ثاني", 90.0, 500, 400, block=1), _word("أول", 90.0, 500, 100, block=2)]

    combined = combine_readings(layout, sparse)

    assert _texts(combined) == ["أول", "ثاني"]


def test_harakat_row_kept_apart():
    layout = []
    sparse = [_word("َ ُ", 40.0, 500, 90, height=20, block=1),
              _word("يرجى", 90.0, 500, 100, height=80, block=2)]

    combined = combine_readings(layout, sparse)

    assert len({word.line_key for word in combined}) == 2

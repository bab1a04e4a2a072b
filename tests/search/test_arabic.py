"""Normaliser and light stemmer: every mapping, and what must stay unchanged."""

from pathlib import Path

import pytest

from search.arabic import normalize, normalize_with_offsets, split_clusters
from search.stemmer import stem, stem_arabic, strip_prefixes, strip_suffixes

CORPUS = Path(__file__).parents[1] / "data" / "corpus"

NORMALIZATION = [
    # Diacritics: fatha, damma, kasra, tanween, shadda, sukun, superscript alef.
    ("بَيْتٌ", "بيت"),
    ("كِتَابًا", "كتابا"),
    ("السّيّدة", "السيده"),
    ("مُدَرِّسٍ", "مدرس"),
    ("رَحْمٰن", "رحمن"),
    ("عذراً", "عذرا"),
    # Quranic annotation marks.
    ("الرَّحِيمِ ۝", "الرحيم ۝"),
    ("ٱلۡكِتَٰبُ", "الكتب"),
    # Tatweel.
    ("الـتـوظـيـف", "التوظيف"),
    # Alef forms.
    ("أحمد", "احمد"),
    ("إعلان", "اعلان"),
    ("آلية", "اليه"),
    ("ٱلرحمن", "الرحمن"),
    ("ا\u0653لية", "اليه"),
    # Alef maqsura, taa marbuta, hamza on waw and yeh.
    ("مستشفى", "مستشفي"),
    ("مدرسة", "مدرسه"),
    ("مؤسسة", "موسسه"),
    ("رئيس", "رييس"),
    # Persian and Urdu letter shapes.
    ("کتاب", "كتاب"),
    ("ڪتاب", "كتاب"),
    ("فارسی", "فارسي"),
    ("ېرې", "يري"),
    ("ۍ", "ي"),
    ("ے", "ي"),
    ("ھذا", "هذا"),
    ("ہم", "هم"),
    ("ۀ", "ه"),
    ("ۃ", "ه"),
    # Arabic-Indic and Eastern Arabic-Indic (Persian) digits.
    ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
    ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
    ("٢١/٠٧/١٩٩٦م", "21/07/1996م"),
    # Presentation forms and ligatures.
    ("ﻻ", "لا"),
    ("ﻷ", "لا"),
    ("ﺍﻟﻠﻐﺔ ﺍﻟﻌﺮﺑﻴﺔ", "اللغه العربيه"),
    ("ﷲ", "الله"),
    ("ﻣﺮﺣﺒﺎ", "مرحبا"),
    # Bidi controls and zero-width characters.
    ("\u200fمرحبا\u200e", "مرحبا"),
    ("\u061cعربي", "عربي"),
    ("\u202bعربي\u202c", "عربي"),
    ("\u2067عربي\u2069", "عربي"),
    ("\u202eabc\u202c", "abc"),
    ("\u2066x\u2069\u2068y\u2069", "xy"),
    ("می\u200cخواهم", "ميخواهم"),
    ("\ufeffنص", "نص"),
    ("a\u200bb", "a b"),
    # Latin: lowercased, fullwidth folded, otherwise unchanged.
    ("Employees REPORT", "employees report"),
    ("Ｐｙｔｈｏｎ", "python"),
    ("ﬁle", "file"),
    ("café", "café"),
    # Digits and punctuation stay.
    ("2019-07-21 12:30", "2019-07-21 12:30"),
    ("hello, world!", "hello, world!"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), NORMALIZATION)
def test_normalize_table(text, expected):
    assert normalize(text) == expected


def corpus_texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.gt.txt"))]
    texts.append((CORPUS / "docling_right_to_left_03_persian_form.expected.md").read_text("utf-8"))
    return texts


def mixed_samples() -> list[str]:
    samples = [text for text, _ in NORMALIZATION]
    samples += corpus_texts()
    samples.append("ΣΑΣ ΟΔΟΣ ǅ İstanbul Straße ½ ² ① ℌ")
    return samples


@pytest.mark.parametrize("text", mixed_samples())
def test_normalize_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


def test_normalize_latin_unchanged():
    text = "the quick brown fox, 1234 jumps over 5678."
    assert normalize(text) == text


def test_normalize_ascii_digits_unchanged():
    assert normalize("0123456789") == "0123456789"


def test_normalize_final_sigma_folded():
    assert normalize("ΟΔΟΣ") == normalize("οδοσ")


@pytest.mark.parametrize("text", mixed_samples())
def test_offsets_agree_with_normalize(text):
    normalized, origins = normalize_with_offsets(text)
    assert normalized == normalize(text)
    assert len(origins) == len(normalized)


def test_offsets_point_to_original():
    text = "الـسّيّدة ﻻ"
    normalized, origins = normalize_with_offsets(text)
    first_start = origins[0][0]
    last_end = origins[normalized.index("ه")][1]
    assert text[first_start:last_end] == "الـسّيّدة"
    assert text[slice(*origins[-1])] == "ﻻ"


def test_clusters_keep_marks_with_letter():
    assert split_clusters("سّا") == [(0, 2), (2, 3)]


def test_clusters_of_empty_text():
    assert split_clusters("") == []


STEMS = [
    # Articles, alone and fused with prepositions and conjunction.
    ("المدرسه", "مدرس"),
    ("والمدرسه", "مدرس"),
    ("بالمدرسه", "مدرس"),
    ("كالمدرسه", "مدرس"),
    ("فالمدرسه", "مدرس"),
    ("للموظفين", "موظف"),
    ("وللموظفين", "موظف"),
    ("وبالمدرسه", "مدرس"),
    # Conjunction و when enough letters stay.
    ("ومدرسه", "مدرس"),
    ("وعمل", "عمل"),
    ("ولد", "ولد"),
    # A root و is stripped the same way with or without the article.
    ("وزاره", "زار"),
    ("الوزاره", "زار"),
    ("ووزاره", "زار"),
    ("والوزاره", "زار"),
    # Suffixes.
    ("مدرستها", "مدرست"),
    ("موظفان", "موظف"),
    ("موظفات", "موظف"),
    ("موظفون", "موظف"),
    ("موظفين", "موظف"),
    ("عربيه", "عرب"),
    ("مدرسه", "مدرس"),
    ("عربي", "عرب"),
    ("معلماتها", "معلم"),
    ("اعلانات", "اعل"),
    ("اعلان", "اعل"),
    # Minimum stem lengths keep short words whole.
    ("بيان", "بيان"),
    ("البيانات", "بيان"),
    ("علي", "علي"),
    ("سنه", "سنه"),
    ("الحج", "حج"),
    ("الي", "الي"),
    ("بالغه", "بالغ"),
    # The forms of والد (father) share one stem.
    ("والد", "الد"),
    ("والده", "الد"),
    ("الوالده", "الد"),
    ("والدي", "الد"),
    ("ال", "ال"),
    ("و", "و"),
    ("في", "في"),
    ("من", "من"),
]


@pytest.mark.parametrize(("word", "expected"), STEMS)
def test_stem_arabic_table(word, expected):
    assert stem_arabic(word) == expected


def test_prefixes_need_stem_letters():
    assert strip_prefixes("وال") == "وال"


def test_suffixes_repeat_until_stable():
    assert strip_suffixes("موظفيها") == "موظف"


ENGLISH = [
    ("employees", "employe"),
    ("employee", "employe"),
    ("running", "run"),
    ("run", "run"),
    ("records", "record"),
]


@pytest.mark.parametrize(("word", "expected"), ENGLISH)
def test_stem_english_table(word, expected):
    assert stem(word) == expected


@pytest.mark.parametrize("token", ["1996", "07", "0", "123456789012"])
def test_stem_keeps_digits(token):
    assert stem(token) == token


@pytest.mark.parametrize("token", ["σασ", "straße", "हिन्दी", "café"])
def test_stem_keeps_other_scripts(token):
    assert stem(token) == token


def test_stem_empty_token():
    assert stem("") == ""

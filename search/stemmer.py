"""Light stemming of normalised tokens: Arabic affix stripping and English Snowball.

The Arabic stemmer is a light stemmer: it strips a few frequent prefixes and suffixes and never
looks for roots. Tokens must already be normalised (search.arabic), so taa marbuta is heh and
alef maqsura is yeh when they arrive here.
"""

import logging
import threading

import snowballstemmer

from search.arabic import WAW

logger = logging.getLogger(__name__)

# Articles fused with a preposition or conjunction. They need three letters left, so that a
# word such as بالغه (adult) keeps its first letters.
LONG_ARTICLES = ("وال", "بال", "كال", "فال")
LONG_ARTICLE_MIN_STEM = 3

ARTICLES = ("ال", "لل")
ARTICLE_MIN_STEM = 2

# The conjunction و is only stripped when at least this many letters stay.
CONJUNCTION_MIN_STEM = 3

# Longer suffixes first, so that ها wins over ه. Normalisation has turned ة into ه, so ية
# appears here as يه and taa marbuta as ه.
SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
SUFFIX_MIN_STEM = 3

_ARABIC_START = 0x0600
_ARABIC_END = 0x08FF

_local = threading.local()


def strip_article(word: str, min_stem: int = ARTICLE_MIN_STEM) -> str:
    """Remove one definite article, alone (leaving `min_stem` letters) or fused with بـ كـ فـ وـ."""
    for article in LONG_ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= LONG_ARTICLE_MIN_STEM:
            return word[len(article) :]

    for article in ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= min_stem:
            return word[len(article) :]

    return word


def strip_prefixes(word: str) -> str:
    """Remove the article, then up to two leading و, each possibly followed by an article.

    The و step also runs after an article, on purpose. A word whose root starts with و, such
    as وزارة (ministry), then loses that letter with or without its article (الوزارة). Both
    spellings share one stem, even though that stem is not the linguistic one.
    """
    word = strip_article(word)

    for _ in range(2):
        if not word.startswith(WAW) or len(word) - 1 < CONJUNCTION_MIN_STEM:
            break
        # After و an article must leave as many letters as the fused وال requires.
        word = strip_article(word[1:], min_stem=LONG_ARTICLE_MIN_STEM)

    return word


def strip_suffixes(word: str) -> str:
    """Remove suffixes from the end until none leaves a stem of SUFFIX_MIN_STEM letters.

    Repeating the pass lets stacked suffixes fall in any order (اعلانات loses ات, then ان),
    so the plural and the singular reach the same stem.
    """
    stripped = True
    while stripped:
        stripped = False
        for suffix in SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= SUFFIX_MIN_STEM:
                word = word[: -len(suffix)]
                stripped = True
                break
    return word


def stem_arabic(word: str) -> str:
    """Return the light stem of a normalised Arabic word."""
    return strip_suffixes(strip_prefixes(word))


def _english_stemmer():
    # Snowball stemmer objects keep state between calls, so each thread gets its own.
    stemmer = getattr(_local, "english", None)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer("english")
        _local.english = stemmer
    return stemmer


def stem_english(word: str) -> str:
    """Return the Snowball (Porter2) English stem of a lowercase word."""
    return _english_stemmer().stemWord(word)


def is_arabic(char: str) -> bool:
    return _ARABIC_START <= ord(char) <= _ARABIC_END


def stem(token: str) -> str:
    """Stem one normalised token by its script. Digits and other scripts stay as they are."""
    if not token:
        return token

    first = token[0]
    if is_arabic(first):
        return stem_arabic(token)

    if token.isascii() and token.isalpha():
        return stem_english(token)

    return token

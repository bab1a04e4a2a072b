"""OCR quality on synthetic personnel letters: ocr.page.ocr_image against bare Tesseract.

Run from the repository root:

    python -m bench.ocr_quality            # 160 pages
    python -m bench.ocr_quality --quick    # 20 pages, for CI

Every page is drawn from its number and the seed alone, so two runs read the same pages. A page
is a letter of 1 to 15 lines (letterhead, reference and date, subject, body, closing, signature)
made from personnel-document phrases: appointments, promotions, leave, transfers, certificates,
names, ministries, dates in Arabic-Indic or Western digits, and a few English words. The fonts
are Amiri, Noto Naskh Arabic, Noto Sans Arabic, Noto Kufi Arabic and DejaVu Sans at 11 to 18 pt,
on A4, A5 or a 180 x 90 mm slip, at 200 or 300 dpi. Half of the pages get mild scan damage:
a turn of up to 1.5 degrees, blur, noise, JPEG compression and a grey background.

Each page is read by `tesseract PAGE.png stdout -l ara+eng --psm 3` and by ocr_image, both with
OMP_THREAD_LIMIT=1. The ground truth is the text drawn. The report gives, per configuration and
overall, for both readers side by side:
- lost lines: the share of drawn lines that no output line matches with at least
  MATCH_MIN_SIMILARITY of its characters, so dropped lines and lines read as junk;
- junk lines: output lines that match no drawn line, per 100 drawn lines;
- word recall: the share of the drawn text's search terms (search.analysis.analyze, counted
  with repeats) that the output's terms contain, which decides whether a search finds the page;
- CER: character edit distance over the drawn characters, after both texts lose diacritics,
  bidi controls and extra spaces;
- seconds per page, wall time of the reading alone.
"""

import argparse
import copy
import functools
import io
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import ttProgram
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from archive_api.errors import N_
from bench.report import BenchmarkFailed, print_footer, print_header, ratio
from ocr.page import ocr_image
from ocr.postprocess import edit_distance, normalise_whitespace, strip_arabic_diacritics, strip_bidi_controls
from search.analysis import analyze

logger = logging.getLogger(__name__)

DEFAULT_SEED = 20240
FULL_PAGES = 160
QUICK_PAGES = 20
LANGUAGES = "ara+eng"
BARE_COMMAND = ("tesseract", "{image}", "stdout", "-l", LANGUAGES, "--psm", "3")
# A drawn line counts as read when an output line shares this share of its characters
# (1 - edit distance / length of the longer line). A line cut in two still matches its
# longer half, and junk such as "oo ٠ ٠ oo" for a line of Arabic words does not.
MATCH_MIN_SIMILARITY = 0.34

# Family, Debian package, and the family whose glyphs fill the family's gaps. Noto's Arabic
# fonts have no Latin letters and some lack "/", "-" or ":", which word processors take from a
# fallback font. Noto Sans is the Latin companion of the Noto Arabic families.
FONTS = (
    ("Amiri", "fonts-hosny-amiri", None),
    ("Noto Naskh Arabic", "fonts-noto-core", "Noto Sans"),
    ("Noto Sans Arabic", "fonts-noto-core", "Noto Sans"),
    ("Noto Kufi Arabic", "fonts-noto-core", "Noto Sans"),
    ("DejaVu Sans", "fonts-dejavu-core", None),
)
FONT_SIZES_PT = tuple(range(11, 19))
DPIS = (200, 300)
PAPERS_MM = {"A4": (210, 297), "A5": (148, 210), "slip": (180, 90)}
MM_PER_INCH = 25.4
POINTS_PER_INCH = 72
MAX_LINES = 15
SIDE_MARGIN_MM = 22
TOP_MARGIN_MM = (14, 26)
# Line pitch as a multiple of the font's own line height (ascent plus descent), which is what
# word processors call single spacing.
LINE_SPACING = (1.0, 1.3)
SCANNED_SHARE = 0.5


# --- vocabulary ------------------------------------------------------------------------------

# fmt: off
LETTERHEADS = (
    "دولة فلسطين", "ديوان الموظفين العام", "دولة فلسطين - ديوان الموظفين العام",
    "الإدارة العامة للشؤون الإدارية", "دائرة الموارد البشرية", "مكتب رئيس الديوان",
)
MINISTRIES = (
    "وزارة التربية والتعليم العالي", "وزارة الصحة", "وزارة المالية", "وزارة الحكم المحلي",
    "وزارة العدل", "وزارة الزراعة", "وزارة التنمية الاجتماعية", "وزارة الداخلية",
    "وزارة الاقتصاد الوطني", "وزارة العمل", "وزارة الأشغال العامة والإسكان",
)
SUBJECTS = (
    "قرار تعيين", "قرار ترقية", "ترقية وظيفية", "طلب نقل", "أمر نقل", "منح إجازة سنوية",
    "إجازة مرضية", "إجازة بدون راتب", "شهادة خبرة", "كتاب شكر وتقدير", "علاوة سنوية",
    "قبول استقالة", "إحالة على التقاعد", "قرار انتداب", "عقد عمل", "ملف سري للموظف",
    "تقرير تقييم الأداء السنوي", "إنذار خطي", "تثبيت في الخدمة", "تعديل المسمى الوظيفي",
)
MALE_NAMES = (
    "محمد", "أحمد", "محمود", "عبد الله", "علي", "حسن", "خالد", "عمر", "يوسف", "إبراهيم",
    "سامي", "ماهر", "نبيل", "رائد", "وليد", "زياد", "فادي", "مصطفى", "طارق", "باسم", "أيمن",
)
FEMALE_NAMES = (
    "فاطمة", "مريم", "زينب", "خديجة", "سارة", "ليلى", "هدى", "رنا", "ريم", "سناء", "أمل",
    "منى", "سلمى", "إيمان", "رشا", "هبة", "أسماء", "نسرين", "عبير", "لبنى",
)
FAMILY_NAMES = (
    "الخطيب", "النجار", "الحسيني", "التميمي", "الشريف", "المصري", "الخليلي", "النابلسي",
    "البرغوثي", "أبو شمالة", "الزعبي", "العمري", "الكرمي", "حمدان", "عودة", "منصور", "سلامة",
    "قاسم", "عاشور", "أبو زيد", "حجازي", "الرجوب", "جرادات", "عبيدات", "شحادة",
)
CITIES = (
    "رام الله", "البيرة", "نابلس", "الخليل", "جنين", "طولكرم", "قلقيلية", "بيت لحم", "أريحا",
    "سلفيت", "طوباس", "غزة", "خان يونس", "رفح", "دير البلح",
)
JOB_TITLES = (
    "معلم", "مشرف تربوي", "مدير مدرسة", "طبيب عام", "ممرض", "صيدلاني", "فني مختبر", "محاسب",
    "مدقق حسابات", "أمين صندوق", "مهندس مدني", "مبرمج", "موظف إداري", "سكرتير", "أمين مخزن",
    "مفتش", "باحث قانوني", "مرشد زراعي", "أخصائي اجتماعي", "كاتب أول",
)
GRADES = ("الأولى", "الثانية", "الثالثة", "الرابعة", "الخامسة", "السادسة", "السابعة", "الثامنة")
MONTHS = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)
LEAVE_KINDS = ("سنوية", "مرضية", "أمومة", "بدون راتب", "دراسية")
SIGNATORIES = (
    "رئيس ديوان الموظفين العام", "مدير عام الشؤون الإدارية", "مدير دائرة الموارد البشرية",
    "الوكيل المساعد", "مدير عام الموظفين",
)
CLOSINGS = (
    "وتفضلوا بقبول فائق الاحترام والتقدير", "مع الاحترام", "وتفضلوا بقبول الاحترام",
    "شاكرين لكم حسن تعاونكم",
)
ENGLISH_TERMS = ("PDF", "Excel", "ICDL", "HR", "email", "Oracle", "IELTS", "Microsoft Office")

# Body paragraphs per kind of letter. Slots: {man}, {woman}, {person}, {job}, {grade},
# {ministry}, {ministry2}, {city}, {date}, {date2}, {number}, {year}, {days}, {amount},
# {employee}, {english}.
BODIES = {
    "appointment": (
        "بناء على قرار مجلس الوزراء رقم {number} لسنة {year} وبناء على تنسيب {ministry}",
        "تقرر تعيين السيد {man} في وظيفة {job} على الدرجة {grade}",
        "على أن يباشر عمله في مديرية {city} اعتبارا من تاريخ {date}",
        "ويصرف له الراتب الأساسي البالغ {amount} شيكل مع العلاوات المقررة",
    ),
    "promotion": (
        "بعد الاطلاع على تقرير تقييم الأداء السنوي للموظفة {woman}",
        "الرقم الوظيفي {employee} تقرر ترقيتها إلى الدرجة {grade}",
        "اعتبارا من {date} وتحسب مدة الخدمة السابقة لأغراض العلاوة والترقية",
    ),
    "leave": (
        "تمنح الموظفة {woman} إجازة {leave} لمدة {days} يوما",
        "تبدأ من تاريخ {date} وتنتهي في {date2} على أن تعود إلى عملها في {city}",
        "مع مراعاة ما ورد في نظام الإجازات المعمول به لدى الدوائر الحكومية",
    ),
    "transfer": (
        "تقرر نقل الموظف {man} من {ministry} إلى {ministry2} لحاجة العمل",
        "بوظيفته الحالية {job} وبنفس الدرجة والراتب اعتبارا من {date}",
        "وفي حال عدم المباشرة خلال خمسة عشر يوما يعتبر القرار لاغيا",
    ),
    "certificate": (
        "نشهد بأن السيد {man} قد عمل لدينا في وظيفة {job}",
        "خلال الفترة من {date} إلى {date2} وقد كان مثالا في الالتزام وحسن الأداء",
        "وهو حاصل على شهادة {english} ويجيد استخدام الحاسوب",
        "أعطيت له هذه الشهادة بناء على طلبه دون أدنى مسؤولية على الديوان",
    ),
    "commendation": (
        "نتقدم بالشكر والتقدير للموظف {man} على جهوده المميزة",
        "في إنجاز ملفات الموظفين وأرشفتها إلكترونيا بصيغة {english}",
        "متمنين له دوام التوفيق والنجاح في خدمة أبناء شعبنا",
    ),
    "records": (
        "يرجى تزويدنا بالملف الشخصي للموظف {person} رقم الهوية {number}",
        "وإرسال البيانات بملف {english} إلى البريد الإلكتروني للدائرة قبل {date}",
        "علما بأن آخر موعد لاستكمال الإجراءات هو {date2}",
    ),
}
# fmt: on

_TO_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass(frozen=True)
class DrawnLine:
    text: str
    align: str  # "right", "centre" or "left"


@dataclass(frozen=True)
class ScanDamage:
    """Mild damage from scanning, applied in this order; zero or None leaves a step out."""

    rotation_degrees: float = 0.0
    blur_radius: float = 0.0
    noise_amplitude: int = 0  # grey levels either side of the pixel's value
    background: int = 255  # grey level of the paper
    jpeg_quality: int | None = None

    @property
    def label(self) -> str:
        return "clean" if self == ScanDamage() else "scanned"


@dataclass(frozen=True)
class PageSpec:
    number: int
    family: str
    size_pt: int
    dpi: int
    paper: str
    lines: tuple[DrawnLine, ...]
    damage: ScanDamage


def _digits(text: str, arabic_indic: bool) -> str:
    return text.translate(_TO_ARABIC_INDIC) if arabic_indic else text


def _date(rng: random.Random, arabic_indic: bool) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1995, 2024)
    style = rng.random()
    if style < 0.45:
        return _digits(f"{day:02d}/{month:02d}/{year}", arabic_indic)
    if style < 0.7:
        return _digits(f"{year}/{month}/{day}", arabic_indic)
    return f"{_digits(str(day), arabic_indic)} {MONTHS[month - 1]} {_digits(str(year), arabic_indic)}"


def _slots(rng: random.Random) -> dict[str, str]:
    arabic_indic = rng.random() < 0.6
    ministry, ministry2 = rng.sample(MINISTRIES, 2)
    return {
        "man": f"{rng.choice(MALE_NAMES)} {rng.choice(MALE_NAMES)} {rng.choice(FAMILY_NAMES)}",
        "woman": f"{rng.choice(FEMALE_NAMES)} {rng.choice(MALE_NAMES)} {rng.choice(FAMILY_NAMES)}",
        "person": f"{rng.choice(MALE_NAMES + FEMALE_NAMES)} {rng.choice(FAMILY_NAMES)}",
        "job": rng.choice(JOB_TITLES),
        "grade": rng.choice(GRADES),
        "ministry": ministry,
        "ministry2": ministry2,
        "city": rng.choice(CITIES),
        "date": _date(rng, arabic_indic),
        "date2": _date(rng, arabic_indic),
        "number": _digits(str(rng.randint(10, 999999)), arabic_indic),
        "year": _digits(str(rng.randint(1998, 2024)), arabic_indic),
        "days": _digits(str(rng.randint(3, 90)), arabic_indic),
        "amount": _digits(str(rng.randint(18, 65) * 100), arabic_indic),
        "employee": _digits(str(rng.randint(100000, 999999)), arabic_indic),
        "english": rng.choice(ENGLISH_TERMS),
        "leave": rng.choice(LEAVE_KINDS),
        "reference": _digits(f"{rng.randint(1, 999)}/{rng.randint(2015, 2024)}", arabic_indic),
    }


def compose_letter(rng: random.Random) -> list[tuple[str, str]]:
    """Return a whole letter as (paragraph, alignment) pairs in reading order."""
    slots = _slots(rng)
    kind = rng.choice(sorted(BODIES))
    letter = [(heading, "centre") for heading in rng.sample(LETTERHEADS, rng.randint(1, 2))]
    letter.append((f"الرقم: د م ع/{slots['reference']}", "right"))
    letter.append((f"التاريخ: {slots['date']}", "right"))
    letter.append((f"السيد مدير عام {rng.choice(MINISTRIES)} المحترم", "right"))
    letter.append(("تحية طيبة وبعد", "right"))
    letter.append((f"الموضوع: {rng.choice(SUBJECTS)}", "centre"))
    letter.extend((paragraph.format(**slots), "right") for paragraph in BODIES[kind])
    letter.append((rng.choice(CLOSINGS), "centre"))
    letter.append((f"{rng.choice(MALE_NAMES)} {rng.choice(FAMILY_NAMES)}", "left"))
    letter.append((rng.choice(SIGNATORIES), "left"))
    return letter


# --- fonts -----------------------------------------------------------------------------------


def _font_file(family: str, package: str) -> Path:
    output = subprocess.run(
        ["fc-match", "--format=%{file}", f"{family}:style=Regular"], capture_output=True, text=True, check=False
    ).stdout
    path = Path(output)
    if family.replace(" ", "").lower() not in path.name.replace("-", "").lower():
        raise BenchmarkFailed(
            N_("Font %(family)s is not installed; install the Debian package %(package)s."),
            family=family,
            package=package,
        )
    return path


@functools.cache
def font_data(family: str) -> bytes:
    """Return the font file of a family, with the printable ASCII it lacks taken from its fallback.

    Both fonts must use the same units per em, as the Noto families do, because glyphs are
    copied unscaled. Hinting instructions of the copied glyphs are dropped.
    """
    package, fallback_family = next((package, fallback) for name, package, fallback in FONTS if name == family)
    main_path = _font_file(family, package)
    if fallback_family is None:
        return main_path.read_bytes()

    main = TTFont(main_path)
    fallback = TTFont(_font_file(fallback_family, package))
    if main["head"].unitsPerEm != fallback["head"].unitsPerEm:
        raise BenchmarkFailed(
            N_("Fonts %(family)s and %(fallback)s have different units per em; choose another fallback font."),
            family=family,
            fallback=fallback_family,
        )
    _copy_missing_glyphs(main, fallback, [chr(code) for code in range(0x20, 0x7F)])
    buffer = io.BytesIO()
    main.save(buffer)
    return buffer.getvalue()


def _copy_missing_glyphs(main: TTFont, fallback: TTFont, characters: Iterable[str]) -> None:
    main_cmap, fallback_cmap = main.getBestCmap(), fallback.getBestCmap()
    order = list(main.getGlyphOrder())
    copied: dict[str, str] = {}

    def copy_glyph(name: str) -> str:
        if name in copied:
            return copied[name]
        new_name = f"fallback.{name}"
        glyph = copy.deepcopy(fallback["glyf"][name])
        if glyph.isComposite():
            for component in glyph.components:
                component.glyphName = copy_glyph(component.glyphName)
        if hasattr(glyph, "program"):
            glyph.program = ttProgram.Program()
            glyph.program.fromBytecode(b"")
        main["glyf"][new_name] = glyph
        main["hmtx"][new_name] = fallback["hmtx"][name]
        order.append(new_name)
        copied[name] = new_name
        return new_name

    for character in characters:
        code = ord(character)
        if code in main_cmap or code not in fallback_cmap:
            continue
        new_name = copy_glyph(fallback_cmap[code])
        for table in main["cmap"].tables:
            if table.isUnicode():
                table.cmap[code] = new_name
    main.setGlyphOrder(order)


@functools.cache
def load_font(family: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(font_data(family)), size_px, layout_engine=ImageFont.Layout.RAQM)


def _text_width(font: ImageFont.FreeTypeFont, text: str) -> float:
    return font.getlength(text, direction="rtl", language="ar")


# --- pages -----------------------------------------------------------------------------------


def page_spec(number: int, seed: int) -> PageSpec:
    """Return the layout of page `number`: font, size, resolution, paper, lines and damage."""
    rng = random.Random(f"{seed}:{number}")
    family = FONTS[number % len(FONTS)][0]
    dpi = DPIS[(number // len(FONTS)) % len(DPIS)]
    size_pt = rng.choice(FONT_SIZES_PT)
    line_count = rng.randint(1, MAX_LINES)
    paper = _choose_paper(rng, line_count)

    font = load_font(family, _pixels(size_pt, dpi, POINTS_PER_INCH))
    width_px = _pixels(PAPERS_MM[paper][0] - 2 * SIDE_MARGIN_MM, dpi, MM_PER_INCH)
    wrapped = [line for paragraph in compose_letter(rng) for line in _wrap(paragraph, font, width_px)]
    chosen = sorted(rng.sample(range(len(wrapped)), min(line_count, len(wrapped))))
    lines = tuple(wrapped[index] for index in chosen)
    damage = _choose_damage(rng) if rng.random() < SCANNED_SHARE else ScanDamage()
    return PageSpec(number, family, size_pt, dpi, paper, lines, damage)


def _choose_paper(rng: random.Random, line_count: int) -> str:
    if line_count <= 3:
        return rng.choice(("slip", "slip", "A5", "A4"))
    if line_count <= 8:
        return rng.choice(("A5", "A4", "A4"))
    return "A4"


def _choose_damage(rng: random.Random) -> ScanDamage:
    return ScanDamage(
        rotation_degrees=round(rng.uniform(-1.5, 1.5), 2) if rng.random() < 0.7 else 0.0,
        blur_radius=round(rng.uniform(0.3, 1.0), 2) if rng.random() < 0.4 else 0.0,
        noise_amplitude=rng.randint(6, 24) if rng.random() < 0.4 else 0,
        background=rng.randint(200, 235) if rng.random() < 0.4 else 255,
        jpeg_quality=rng.randint(35, 75) if rng.random() < 0.5 else None,
    )


def _wrap(paragraph: tuple[str, str], font: ImageFont.FreeTypeFont, width_px: int) -> list[DrawnLine]:
    text, align = paragraph
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(font, f"{lines[-1]} {word}") <= width_px:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return [DrawnLine(line, align) for line in lines]


def _pixels(length: float, dpi: int, units_per_inch: float) -> int:
    return round(length * dpi / units_per_inch)


def render_page(spec: PageSpec) -> tuple[Image.Image, list[str]]:
    """Draw a page and damage it; return the image and the lines that fit on the paper."""
    width, height = (_pixels(side, spec.dpi, MM_PER_INCH) for side in PAPERS_MM[spec.paper])
    size_px = _pixels(spec.size_pt, spec.dpi, POINTS_PER_INCH)
    font = load_font(spec.family, size_px)
    rng = random.Random(f"layout:{spec.number}")
    ascent, descent = font.getmetrics()
    pitch = round((ascent + descent) * rng.uniform(*LINE_SPACING))
    margin = _pixels(SIDE_MARGIN_MM, spec.dpi, MM_PER_INCH)
    top = _pixels(rng.uniform(*TOP_MARGIN_MM), spec.dpi, MM_PER_INCH)

    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    drawn = []
    for index, line in enumerate(spec.lines):
        y = top + index * pitch
        if y + ascent + descent > height - margin // 2:
            break
        x, anchor = {
            "right": (width - margin, "ra"),
            "centre": (width // 2, "ma"),
            "left": (margin + width // 5, "ma"),
        }[line.align]
        draw.text((x, y), line.text, font=font, fill=0, anchor=anchor, direction="rtl", language="ar")
        drawn.append(line.text)

    return damage_page(page, spec.damage, spec.number), drawn


def damage_page(page: Image.Image, damage: ScanDamage, number: int) -> Image.Image:
    """Apply mild scan damage; noise comes from a generator seeded with the page number."""
    if damage.background < 255:
        page = page.point(lambda level: round(level * damage.background / 255))
    if damage.rotation_degrees:
        page = page.rotate(damage.rotation_degrees, resample=Image.Resampling.BICUBIC, fillcolor=damage.background)
    if damage.blur_radius:
        page = page.filter(ImageFilter.GaussianBlur(damage.blur_radius))
    if damage.noise_amplitude:
        page = _add_noise(page, damage.noise_amplitude, random.Random(f"noise:{number}"))
    if damage.jpeg_quality is not None:
        buffer = io.BytesIO()
        page.save(buffer, format="JPEG", quality=damage.jpeg_quality)
        page = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    return page


def _add_noise(page: Image.Image, amplitude: int, rng: random.Random) -> Image.Image:
    """Add the sum of two uniform noises, each within amplitude / 2 grey levels either side."""
    for _ in range(2):
        noise = Image.frombytes("L", page.size, rng.randbytes(page.width * page.height))
        scaled = noise.point(lambda level: 128 + round((level - 128) * amplitude / 256))
        page = ImageChops.add(page, scaled, scale=1.0, offset=-128)
    return page


# --- reading and scoring ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What one reader made of one page, scored against the drawn lines."""

    lines: int
    lost_lines: int
    junk_lines: int
    terms: int
    found_terms: int
    characters: int
    edits: int
    seconds: float
    cpu_seconds: float
    lost_texts: tuple[tuple[str, str], ...]  # (drawn line, closest output line)


@dataclass(frozen=True)
class PageResult:
    spec: PageSpec
    bare: Reading
    pipeline: Reading


@dataclass(frozen=True)
class Timing:
    """Wall time, and processor time of this process and its finished child processes."""

    seconds: float
    cpu_seconds: float


class _Stopwatch:
    def __enter__(self) -> "_Stopwatch":
        self._wall = time.perf_counter()
        self._cpu = _cpu_seconds()
        return self

    def __exit__(self, *exception) -> None:
        self.timing = Timing(time.perf_counter() - self._wall, _cpu_seconds() - self._cpu)


def _cpu_seconds() -> float:
    # Tesseract runs in child processes, which getrusage counts once they have been waited for.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def read_bare(image: Image.Image, dpi: int, workdir: Path) -> tuple[str, Timing]:
    path = workdir / "page.png"
    image.save(path, format="PNG", dpi=(dpi, dpi))
    command = [part.format(image=path) for part in BARE_COMMAND]
    environment = dict(os.environ, OMP_THREAD_LIMIT="1")
    with _Stopwatch() as stopwatch:
        completed = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if completed.returncode != 0:
        raise BenchmarkFailed(
            N_("Bare tesseract failed with status %(status)s (%(detail)s); check the tesseract-ocr install."),
            status=completed.returncode,
            detail=completed.stderr[:300],
        )
    return completed.stdout, stopwatch.timing


def read_pipeline(image: Image.Image, dpi: int) -> tuple[str, Timing]:
    with _Stopwatch() as stopwatch:
        result = ocr_image(image, languages=LANGUAGES, dpi=dpi)
    return result.text, stopwatch.timing


def comparable_lines(text: str) -> list[str]:
    """Return the non-empty lines in NFKC form, without diacritics, bidi controls or extra spaces."""
    cleaned = strip_arabic_diacritics(unicodedata.normalize("NFKC", strip_bidi_controls(text)))
    return normalise_whitespace(cleaned).splitlines()


def similarity(first: str, second: str) -> float:
    longer = max(len(first), len(second))
    return 1.0 - edit_distance(first, second) / longer if longer else 1.0


def match_lines(drawn: list[str], output: list[str]) -> dict[int, int]:
    """Pair drawn lines with output lines one to one, most similar pairs first.

    Pairs below MATCH_MIN_SIMILARITY are left out. Pairs are chosen regardless of order, because
    Tesseract may put a left-hand signature block before or after the lines beside it.
    """
    pairs = sorted(
        (
            (similarity(line, out), index, out_index)
            for index, line in enumerate(drawn)
            for out_index, out in enumerate(output)
        ),
        reverse=True,
    )
    matches: dict[int, int] = {}
    used: set[int] = set()
    for score, index, out_index in pairs:
        if score < MATCH_MIN_SIMILARITY:
            break
        if index in matches or out_index in used:
            continue
        matches[index] = out_index
        used.add(out_index)
    return matches


def score_reading(drawn_text: list[str], output_text: str, timing: Timing) -> Reading:
    drawn = comparable_lines("\n".join(drawn_text))
    output = comparable_lines(output_text)
    matches = match_lines(drawn, output)
    lost = [index for index in range(len(drawn)) if index not in matches]
    lost_texts = tuple((drawn[index], _closest(drawn[index], output)) for index in lost)

    drawn_terms = Counter(analyze("\n".join(drawn)))
    found_terms = drawn_terms & Counter(analyze("\n".join(output)))
    reference = "\n".join(drawn)
    return Reading(
        lines=len(drawn),
        lost_lines=len(lost),
        junk_lines=len(output) - len(matches),
        terms=sum(drawn_terms.values()),
        found_terms=sum(found_terms.values()),
        characters=len(reference),
        edits=edit_distance(reference, "\n".join(output)),
        seconds=timing.seconds,
        cpu_seconds=timing.cpu_seconds,
        lost_texts=lost_texts,
    )


def _closest(line: str, output: list[str]) -> str:
    return max(output, key=lambda candidate: similarity(line, candidate), default="")


def evaluate_page(number: int, seed: int) -> PageResult:
    spec = page_spec(number, seed)
    image, drawn = render_page(spec)
    with tempfile.TemporaryDirectory(prefix="diwan-bench-ocr-") as folder:
        bare_text, bare_timing = read_bare(image, spec.dpi, Path(folder))
    pipeline_text, pipeline_timing = read_pipeline(image, spec.dpi)
    return PageResult(
        spec=spec,
        bare=score_reading(drawn, bare_text, bare_timing),
        pipeline=score_reading(drawn, pipeline_text, pipeline_timing),
    )


def evaluate(pages: int, seed: int = DEFAULT_SEED, jobs: int = 1) -> list[PageResult]:
    """Read pages 0 to pages - 1 with both readers, in `jobs` processes."""
    numbers = range(pages)
    if jobs <= 1:
        return [evaluate_page(number, seed) for number in numbers]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(evaluate_page, numbers, [seed] * pages))


# --- report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    pages: int
    lines: int
    lost_share: float
    junk_per_100: float
    recall: float
    cer: float
    seconds_per_page: float
    cpu_seconds_per_page: float


def totals(readings: list[Reading]) -> Totals:
    lines = sum(reading.lines for reading in readings)
    terms = sum(reading.terms for reading in readings)
    characters = sum(reading.characters for reading in readings)
    return Totals(
        pages=len(readings),
        lines=lines,
        lost_share=sum(reading.lost_lines for reading in readings) / max(1, lines),
        junk_per_100=100 * sum(reading.junk_lines for reading in readings) / max(1, lines),
        recall=sum(reading.found_terms for reading in readings) / max(1, terms),
        cer=sum(reading.edits for reading in readings) / max(1, characters),
        seconds_per_page=_mean([reading.seconds for reading in readings]),
        cpu_seconds_per_page=_mean([reading.cpu_seconds for reading in readings]),
    )


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0


GROUPINGS: tuple[tuple[str, Callable[[PageSpec], str]], ...] = (
    ("font", lambda spec: spec.family),
    ("size", lambda spec: "11-12 pt" if spec.size_pt <= 12 else "13-15 pt" if spec.size_pt <= 15 else "16-18 pt"),
    ("dpi", lambda spec: f"{spec.dpi} dpi"),
    (
        "lines",
        lambda spec: "1-3 lines" if len(spec.lines) <= 3 else "4-8 lines" if len(spec.lines) <= 8 else "9-15 lines",
    ),
    ("paper", lambda spec: spec.paper),
    ("scan", lambda spec: spec.damage.label),
)
HEADER = (
    f"{'':<20} {'pages':>5} {'lines':>5} | {'lost % bare':>11} {'ours':>5} | {'junk/100 bare':>13} "
    f"{'ours':>5} | {'recall bare':>11} {'ours':>6} {'ratio':>5} | {'CER bare':>8} {'ours':>6} {'ratio':>5} "
    f"| {'s/page bare':>11} {'ours':>5} {'ratio':>5} | {'cpu s bare':>10} {'ours':>5} {'ratio':>5}"
)


def format_row(label: str, results: list[PageResult]) -> str:
    bare = totals([result.bare for result in results])
    ours = totals([result.pipeline for result in results])
    return (
        f"{label:<20} {bare.pages:>5} {bare.lines:>5} | {100 * bare.lost_share:>11.1f} "
        f"{100 * ours.lost_share:>5.1f} | {bare.junk_per_100:>13.1f} {ours.junk_per_100:>5.1f} | "
        f"{bare.recall:>11.3f} {ours.recall:>6.3f} {ratio(ours.recall, bare.recall):>5} | "
        f"{bare.cer:>8.3f} {ours.cer:>6.3f} {ratio(ours.cer, bare.cer):>5} | "
        f"{bare.seconds_per_page:>11.2f} {ours.seconds_per_page:>5.2f} "
        f"{ratio(ours.seconds_per_page, bare.seconds_per_page):>5} | {bare.cpu_seconds_per_page:>10.2f} "
        f"{ours.cpu_seconds_per_page:>5.2f} {ratio(ours.cpu_seconds_per_page, bare.cpu_seconds_per_page):>5}"
    )


def print_report(results: list[PageResult], show_lost: int) -> None:
    for name, key in GROUPINGS:
        print(f"-- by {name} --")
        print(HEADER)
        groups: dict[str, list[PageResult]] = {}
        for result in results:
            groups.setdefault(key(result.spec), []).append(result)
        for label in sorted(groups):
            print(format_row(label, groups[label]))
    print("-- overall --")
    print(HEADER)
    print(format_row("all pages", results))
    multi_line = [result for result in results if len(result.spec.lines) >= 4]
    print(format_row("pages of 4+ lines", multi_line))

    if show_lost:
        _print_lost_lines(results, show_lost)


def _print_lost_lines(results: list[PageResult], limit: int) -> None:
    print(f"-- lines that ocr_image lost (first {limit}) --")
    shown = 0
    for result in results:
        for drawn, closest in result.pipeline.lost_texts:
            if shown == limit:
                return
            spec = result.spec
            print(
                f"page {spec.number} ({spec.family}, {spec.size_pt} pt, {spec.dpi} dpi, {spec.damage.label}): "
                f"{drawn!r} -> closest output {closest!r}"
            )
            shown += 1


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"Small run of {QUICK_PAGES} pages.")
    parser.add_argument(
        "--pages", type=int, help=f"Pages to read (default {FULL_PAGES}, or {QUICK_PAGES} with --quick)."
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Seed of the page generator.")
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="Pages read at the same time, one process each (default 1, which keeps times comparable).",
    )
    parser.add_argument(
        "--show-lost",
        type=int,
        default=0,
        metavar="N",
        help="Print up to N drawn lines that ocr_image lost, with the closest output line.",
    )
    arguments = parser.parse_args(argv)
    if arguments.pages is None:
        arguments.pages = QUICK_PAGES if arguments.quick else FULL_PAGES
    return arguments


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    sys.stdout.reconfigure(line_buffering=True)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    print_header(
        "OCR quality: ocr_image against bare tesseract --psm 3, ara+eng",
        [f"pages: {arguments.pages}, seed {arguments.seed}, {arguments.jobs} process(es)"],
    )
    results = evaluate(arguments.pages, arguments.seed, arguments.jobs)
    print_report(results, arguments.show_lost)
    print_footer()


if __name__ == "__main__":
    main()

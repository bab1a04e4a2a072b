"""Synthetic Arabic personnel records for the benchmarks: names, ministries, document types, dates.

Every record is made from its number alone (a seeded random generator per record), so two
processes that ask for record 1234 get the same text, and the corpus never has to sit in memory.
The text mixes the spellings that scans and typists produce: hamza on alef or not, taa marbuta
or heh, alef maqsura or yeh, tatweel, diacritics, Arabic-Indic or ASCII digits.
"""

import logging
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

logger = logging.getLogger(__name__)

# Department code, Arabic name, English name, share of the records (weights, not percentages).
DEPARTMENTS = (
    ("MOE", "وزارة التربية والتعليم", "Ministry of Education", 30),
    ("MOH", "وزارة الصحة", "Ministry of Health", 20),
    ("MOI", "وزارة الداخلية", "Ministry of Interior", 14),
    ("MOF", "وزارة المالية والتخطيط", "Ministry of Finance and Planning", 10),
    ("GPC", "ديوان الموظفين العام", "General Personnel Council", 8),
    ("MLG", "وزارة الحكم المحلي", "Ministry of Local Government", 6),
    ("MOJ", "وزارة العدل", "Ministry of Justice", 5),
    ("MOA", "وزارة الزراعة", "Ministry of Agriculture", 4),
    ("MSD", "وزارة التنمية الاجتماعية", "Ministry of Social Development", 3),
)

# Document type code (as stored in Document.doc_type), Arabic subject, share of the records.
DOC_TYPES = (
    ("appointment", "قرار تعيين", 16),
    ("promotion", "قرار ترقية", 14),
    ("leave", "منح إجازة", 14),
    ("transfer", "أمر نقل", 10),
    ("bonus", "علاوة سنوية", 10),
    ("commendation", "كتاب شكر وتقدير", 8),
    ("certificate", "شهادة خبرة", 8),
    ("contract", "عقد عمل", 6),
    ("discipline", "عقوبة انضباطية", 5),
    ("secondment", "قرار انتداب", 4),
    ("retirement", "إحالة على التقاعد", 3),
    ("resignation", "قبول استقالة", 2),
)

# Variants are listed as separate entries, so they turn up in the text at roughly these rates.
# fmt: off
MALE_NAMES = (
    "محمد", "أحمد", "احمد", "محمود", "عبد الله", "عبدالله", "علي", "حسن", "حسين", "خالد", "عمر",
    "يوسف", "إبراهيم", "ابراهيم", "إسماعيل", "اسماعيل", "سامي", "ماهر", "نبيل", "جمال", "رائد",
    "وليد", "زياد", "فادي", "سعيد", "مصطفى", "مصطفي", "عيسى", "موسى", "يحيى", "طارق", "باسم",
    "عماد", "أيمن", "ايمن", "أسامة", "اسامه", "هاني", "رامي", "نضال", "منذر", "بلال", "صالح",
)
FEMALE_NAMES = (
    "فاطمة", "فاطمه", "مريم", "زينب", "عائشة", "خديجة", "سارة", "ساره", "نور", "ليلى", "ليلي",
    "هدى", "هدي", "رنا", "ريم", "سناء", "أمل", "امل", "منى", "سلمى", "آمنة", "امنه", "إيمان",
    "ايمان", "رشا", "دعاء", "هبة", "هبه", "أسماء", "اسماء", "نسرين", "عبير", "لبنى", "ميساء",
)
FAMILY_NAMES = (
    "الخطيب", "النجار", "الحسيني", "التميمي", "الشريف", "المصري", "الخليلي", "النابلسي",
    "القدسي", "الجعبري", "البرغوثي", "الأغا", "الاغا", "أبو شمالة", "ابو شماله", "الزعبي",
    "العمري", "الكرمي", "الدجاني", "الطويل", "حمدان", "عودة", "عوده", "منصور", "سلامة",
    "سلامه", "قاسم", "يعقوب", "الشوا", "الفرا", "عاشور", "أبو زيد", "ابو زيد", "حجازي", "عابدين",
    "الرجوب", "الهشلمون", "دويكات", "صوافطة", "زيود", "جرادات", "عبيدات", "الحروب", "شحادة",
)
CITIES = (
    "رام الله", "البيرة", "نابلس", "الخليل", "جنين", "طولكرم", "قلقيلية", "بيت لحم", "أريحا",
    "اريحا", "سلفيت", "طوباس", "غزة", "غزه", "خان يونس", "رفح", "دير البلح", "القدس",
)
JOB_TITLES = (
    "معلم", "معلمة", "مدرس", "مُعَلِّم", "مشرف تربوي", "مدير مدرسة", "مدير مدرسه", "طبيب عام",
    "طبيب أسنان", "ممرض", "ممرضة", "صيدلاني", "فني مختبر", "محاسب", "مدقق حسابات", "أمين صندوق",
    "مهندس مدني", "مهندس كهرباء", "مبرمج", "موظف إداري", "سكرتير", "أمين مخزن", "سائق", "حارس",
    "مأمور", "مامور", "مفتش", "باحث قانوني", "مرشد زراعي", "أخصائي اجتماعي", "اخصائي اجتماعي",
)
GRADES = (
    "الأولى", "الاولى", "الثانية", "الثانيه", "الثالثة", "الرابعة", "الخامسة", "السادسة",
    "السابعة", "الثامنة", "التاسعة", "العاشرة",
)
MONTHS = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)
# fmt: on
LEAVE_KINDS = ("اعتيادية", "مرضية", "أمومة", "امومه", "بدون راتب", "دراسية", "حج")
PENALTIES = ("التنبيه", "لفت النظر", "الإنذار", "الانذار", "الخصم من الراتب", "الحرمان من العلاوة")
OFFICIAL_TITLES = ("مدير عام الشؤون الإدارية", "مدير عام الموارد البشرية", "رئيس الديوان", "الوكيل المساعد", "الوزير")

SENTENCES = (
    "وذلك استناداً إلى أحكام قانون الخدمة المدنية رقم ٤ لسنة ١٩٩٨ وتعديلاته",
    "وبناءً على تنسيب لجنة شؤون الموظفين في جلستها رقم {number}",
    "وعلى أن يعمل بهذا القرار اعتباراً من تاريخ صدوره",
    "على الجهات المختصة كافة تنفيذ هذا القرار كل فيما يخصه",
    "يرجى الاطلاع واتخاذ المقتضى القانوني حسب الأصول",
    "وذلك بعد الاطلاع على تقرير الأداء السنوي للموظف وتقدير الرئيس المباشر",
    "مع مراعاة ما ورد في نظام الإجازات المعمول به لدى الدوائر الحكومية",
    "ويصرف له الراتب الأساسي والعلاوات المقررة حسب جدول الرواتب",
    "ويحفظ أصل هذا الكتاب في الملف الشخصي للموظف لدى ديوان الموظفين العام",
    "وقد تم التحقق من المؤهلات العلمية والخبرات العملية المرفقة بالطلب",
    "وذلك لحاجة العمل ولما يتمتع به من كفاءة وانضباط",
    "علماً بأن الموظف قد اجتاز فترة التجربة بنجاح",
    "ويعتبر هذا القرار نافذاً من تاريخ مباشرة العمل",
    "تحسب مدة الخدمة السابقة لأغراض العلاوة والترقية",
    "مع التأكيد على ضرورة الالتزام بمدونة السلوك الوظيفي",
    "وفي حال عدم المباشرة خلال المدة المحددة يعتبر القرار لاغياً",
    "ولا يجوز صرف أي مستحقات مالية قبل استكمال الإجراءات",
    "وذلك وفقاً لأحكام اللائحة التنفيذية لقانون الخدمة المدنية",
    "نرجو التكرم بالموافقة على ما ورد أعلاه",
    "شاكرين لكم حسن تعاونكم",
)
CLOSINGS = ("مع الاحترام", "وتفضلوا بقبول فائق الاحترام", "والسلام عليكم ورحمة الله وبركاته")
COPIES = ("الملف الشخصي", "الدائرة المالية", "ديوان الموظفين العام", "الرقابة الداخلية", "الصادر العام")

_ASCII_TO_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_TATWEEL = "\u0640"
_FATHA, _KASRA, _SHADDA = "\u064e", "\u0650", "\u0651"
# Letters after which Arabic script joins, so tatweel between two of them is visible.
_JOINING = frozenset("بتثجحخسشصضطظعغفقكلمنهي")
EARLIEST_DOC_DATE = date(1975, 1, 1)
LATEST_DOC_DATE = date(2024, 12, 31)
CREATED_FROM = datetime(2023, 1, 1)


@dataclass(frozen=True)
class PersonnelRecord:
    """One synthetic archive record: metadata and page texts, lines separated by newlines."""

    number: int
    department: str
    doc_type: str
    title: str
    employee_number: str
    doc_date: date
    created_at: datetime
    pages: tuple[str, ...]


def arabic_digits(value: int | str) -> str:
    return str(value).translate(_ASCII_TO_ARABIC_INDIC)


def _weighted(rng: random.Random, table) -> tuple:
    return rng.choices(table, weights=[row[-1] for row in table])[0]


def _person(rng: random.Random) -> str:
    first = rng.choice(MALE_NAMES + FEMALE_NAMES)
    father, grandfather = rng.choice(MALE_NAMES), rng.choice(MALE_NAMES)
    return f"{first} {father} {grandfather} {rng.choice(FAMILY_NAMES)}"


def _format_date(rng: random.Random, day: date) -> str:
    """Write a date as clerks do: Arabic-Indic with م, ASCII with slashes, or a month name."""
    style = rng.random()
    if style < 0.5:
        return arabic_digits(f"{day.day:02d}/{day.month:02d}/{day.year}") + "م"
    if style < 0.8:
        return f"{day.year}/{day.month:02d}/{day.day:02d}"
    return f"{arabic_digits(day.day)} {MONTHS[day.month - 1]} {arabic_digits(day.year)}"


def _random_day(rng: random.Random, start: date = EARLIEST_DOC_DATE, end: date = LATEST_DOC_DATE) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _decorate(rng: random.Random, word: str) -> str:
    """Return the word stretched with tatweel or given diacritics, as some typed letters are."""
    if rng.random() < 0.5:
        stretched = [
            letter + _TATWEEL if letter in _JOINING and index < len(word) - 1 else letter
            for index, letter in enumerate(word)
        ]
        return "".join(stretched)
    return "".join(letter + rng.choice((_FATHA, _KASRA, _SHADDA + _FATHA)) for letter in word)


def _subject_lines(rng: random.Random, doc_type: str, person: str, context: dict) -> list[str]:
    if doc_type == "appointment":
        return [
            f"تقرر تعيين السيد/ة {person} بوظيفة {context['job']}",
            f"على الدرجة {context['grade']} في {context['ministry']} - مديرية {context['city']}",
        ]

    if doc_type == "promotion":
        return [
            f"تقرر ترقية الموظف/ة {person} الرقم الوظيفي {context['employee']}",
            f"من الدرجة {rng.choice(GRADES)} إلى الدرجة {context['grade']} اعتباراً من {context['date']}",
        ]

    if doc_type == "leave":
        days = arabic_digits(rng.randint(3, 90))
        return [
            f"تقرر منح الموظف/ة {person} إجازة {rng.choice(LEAVE_KINDS)} لمدة {days} يوماً",
            f"تبدأ من تاريخ {context['date']} على أن يعود إلى عمله في {context['city']}",
        ]

    if doc_type == "transfer":
        return [
            f"تقرر نقل الموظف/ة {person} بوظيفة {context['job']}",
            f"من مديرية {context['city']} إلى مديرية {rng.choice(CITIES)} لحاجة العمل",
        ]

    if doc_type == "bonus":
        return [
            f"تقرر منح الموظف/ة {person} العلاوة السنوية الدورية",
            f"عن عام {arabic_digits(context['year'])} وفق جدول الرواتب للدرجة {context['grade']}",
        ]

    if doc_type == "commendation":
        return [
            f"يسرنا أن نتقدم بالشكر والتقدير إلى الموظف/ة {person}",
            f"{context['job']} في {context['ministry']} لجهوده المتميزة خلال عام {arabic_digits(context['year'])}",
        ]

    if doc_type == "certificate":
        return [
            f"نشهد بأن السيد/ة {person} عمل لدينا بوظيفة {context['job']}",
            f"في الفترة من {_format_date(rng, _random_day(rng))} حتى {context['date']}",
            "وقد أُعطي هذه الشهادة بناءً على طلبه",
        ]

    if doc_type == "contract":
        return [
            f"تم الاتفاق بين {context['ministry']} (الطرف الأول) والسيد/ة {person} (الطرف الثاني)",
            f"على العمل بوظيفة {context['job']} بعقد مؤقت لمدة سنة قابلة للتجديد",
        ]

    if doc_type == "discipline":
        return [
            f"تقرر إيقاع عقوبة {rng.choice(PENALTIES)} بحق الموظف/ة {person}",
            "وذلك لتغيبه عن العمل دون إذن مسبق ومخالفته لواجبات الوظيفة",
        ]

    if doc_type == "secondment":
        return [
            f"تقرر انتداب الموظف/ة {person} للعمل لدى {rng.choice(DEPARTMENTS)[1]}",
            f"لمدة ستة أشهر اعتباراً من {context['date']} مع احتفاظه بوظيفته الأصلية",
        ]

    if doc_type == "retirement":
        return [
            f"تقرر إحالة الموظف/ة {person} على التقاعد لبلوغه السن القانونية",
            f"اعتباراً من {context['date']} وتسوية حقوقه التقاعدية لدى هيئة التقاعد الفلسطينية",
        ]

    return [
        f"تقرر قبول استقالة الموظف/ة {person} من وظيفة {context['job']}",
        f"اعتباراً من {context['date']} وإخلاء طرفه من جميع العهد",
    ]


def _sentences(rng: random.Random, count: int) -> list[str]:
    return [sentence.format(number=arabic_digits(rng.randint(1, 60))) for sentence in rng.sample(SENTENCES, count)]


def _first_page(rng: random.Random, doc_type: str, subject: str, person: str, context: dict) -> list[str]:
    lines = [
        "دولة فلسطين",
        context["ministry"],
        "الإدارة العامة للشؤون الإدارية والموارد البشرية",
        f"الرقم: {context['reference']}",
        f"التاريخ: {context['date']}",
        f"الموضوع: {subject}",
    ]
    lines += _subject_lines(rng, doc_type, person, context)
    lines += _sentences(rng, rng.randint(6, 12))
    return lines


def _following_page(rng: random.Random, context: dict) -> list[str]:
    lines = [f"تابع الكتاب رقم {context['reference']}"]
    lines += _sentences(rng, rng.randint(12, 20))
    lines.append(f"الرقم الوظيفي {context['employee']} - {context['city']}")
    return lines


def _closing_lines(rng: random.Random) -> list[str]:
    copies = " / ".join(rng.sample(COPIES, 3))
    return [rng.choice(CLOSINGS), _person(rng), rng.choice(OFFICIAL_TITLES), f"نسخة إلى: {copies}"]


def _vary_spelling(rng: random.Random, lines: list[str]) -> list[str]:
    """Stretch or vowel one word on about a quarter of the pages."""
    if rng.random() > 0.25:
        return lines
    index = rng.randrange(len(lines))
    words = lines[index].split(" ")
    position = rng.randrange(len(words))
    if len(words[position]) >= 3:
        words[position] = _decorate(rng, words[position])
    return [*lines[:index], " ".join(words), *lines[index + 1 :]]


def make_record(number: int, max_pages: int = 3) -> PersonnelRecord:
    """Build record ``number`` (1 or more). The same number always gives the same record."""
    rng = random.Random(number * 7919 + 17)
    department = _weighted(rng, DEPARTMENTS)
    doc_type, subject, _weight = _weighted(rng, DOC_TYPES)
    person = _person(rng)
    doc_date = _random_day(rng)
    employee = str(rng.randint(100_000, 99_999_999))
    context = {
        "ministry": department[1],
        "city": rng.choice(CITIES),
        "job": rng.choice(JOB_TITLES),
        "grade": rng.choice(GRADES),
        "date": _format_date(rng, doc_date),
        "year": doc_date.year,
        "employee": arabic_digits(employee) if rng.random() < 0.6 else employee,
        "reference": f"{department[0]}/{arabic_digits(rng.randint(1, 9999))}/{arabic_digits(doc_date.year)}",
    }

    page_count = rng.choices((1, 2, 3), weights=(60, 30, 10))[0] if max_pages >= 3 else rng.randint(1, max_pages)
    pages = [_first_page(rng, doc_type, subject, person, context)]
    pages += [_following_page(rng, context) for _ in range(page_count - 1)]
    pages[-1] = pages[-1] + _closing_lines(rng)
    texts = tuple("\n".join(_vary_spelling(rng, lines)) for lines in pages)

    created_at = CREATED_FROM + timedelta(seconds=number * 37)
    return PersonnelRecord(
        number=number,
        department=department[0],
        doc_type=doc_type,
        title=f"{subject} - {person}",
        employee_number=employee,
        doc_date=doc_date,
        created_at=created_at,
        pages=texts,
    )


def wrap_lines(text: str, max_chars: int) -> list[str]:
    """Break each line of ``text`` at spaces into lines of at most ``max_chars`` characters."""
    wrapped: list[str] = []
    for line in text.splitlines():
        current = ""
        for word in line.split(" "):
            candidate = f"{current} {word}".strip()
            if current and len(candidate) > max_chars:
                wrapped.append(current)
                candidate = word
            current = candidate
        if current:
            wrapped.append(current)
    return wrapped

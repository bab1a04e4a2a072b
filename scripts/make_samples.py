"""Regenerate the made-up sample letters in samples/ (the real public scans are copied as they are).

Run from the repository root: python scripts/make_samples.py
Every name, number and date in these letters is invented.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.factories.documents import (  # noqa: E402
    image_bytes,
    make_multipage_tiff,
    make_scanned_pdf,
    make_text_pdf,
    render_arabic_page,
)

SAMPLES = ROOT / "samples"

APPOINTMENT = [
    "دولة فلسطين",
    "ديوان الموظفين العام",
    "قرار تعيين رقم ١٤٧ لسنة ٢٠١٩",
    "بناء على نتائج المسابقة المعلنة لوظيفة محاسب",
    "تقرر تعيين السيد سامر خليل عودة",
    "الرقم الوظيفي ١٠٠٤٢ في الدرجة السابعة",
    "اعتبارا من تاريخ ٢١/٠٧/٢٠١٩م",
    "Appointment decision no. 147 / 2019",
]
EXPERIENCE_PAGES = [
    [
        "شهادة خبرة",
        "نشهد بأن السيدة ريم أحمد ناصر",
        "عملت لدى مديرية التربية والتعليم",
        "بوظيفة معلمة لغة عربية",
        "من ٠١/٠٩/٢٠١٢م حتى ٣٠/٠٦/٢٠١٨م",
    ],
    [
        "وقد أبدت خلال عملها كفاءة عالية",
        "وأعطيت لها هذه الشهادة بناء على طلبها",
        "مدير شؤون الموظفين",
    ],
]
LEAVE_REQUEST = [
    "طلب إجازة سنوية",
    "مقدم الطلب: محمود يوسف حمدان",
    "الرقم الوظيفي ١٠٣٥٨",
    "مدة الإجازة أربعة عشر يوما",
    "تبدأ في ٠٣/٠٨/٢٠٢٢م",
]
TRANSFER_REQUEST = [
    "وزارة الصحة",
    "طلب نقل موظف",
    "الاسم: هالة سعيد منصور",
    "الوظيفة الحالية ممرضة في مستشفى رام الله",
    "الجهة المطلوب النقل إليها مستشفى الخليل",
    "سبب النقل: قرب مكان السكن",
]


def main() -> None:
    (SAMPLES / "HR").mkdir(parents=True, exist_ok=True)
    (SAMPLES / "MOH").mkdir(parents=True, exist_ok=True)

    (SAMPLES / "HR" / "appointment-decision.pdf").write_bytes(make_text_pdf(APPOINTMENT))
    experience = [render_arabic_page(lines, font_size=16, dpi=300) for lines in EXPERIENCE_PAGES]
    (SAMPLES / "HR" / "experience-certificate.tif").write_bytes(make_multipage_tiff(experience, "group4", dpi=300))
    leave = render_arabic_page(LEAVE_REQUEST, font_size=16, dpi=300, paper_mm=(210, 148))
    (SAMPLES / "HR" / "leave-request.jpg").write_bytes(image_bytes(leave, "JPEG", quality=85, dpi=(300, 300)))
    transfer = render_arabic_page(TRANSFER_REQUEST, font_size=16, dpi=300)
    (SAMPLES / "MOH" / "transfer-request.pdf").write_bytes(make_scanned_pdf([transfer], dpi=300))


if __name__ == "__main__":
    main()

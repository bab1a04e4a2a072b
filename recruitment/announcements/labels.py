"""English names (catalogue message ids) of the codes an announcement stores.

Templates show them with _(), and Python code with a translator, so every page and the feed name
a governorate, degree or document kind the same way.
"""

from archive_api.errors import N_

GOVERNORATE_NAMES = {
    "jerusalem": N_("Jerusalem"),
    "jenin": N_("Jenin"),
    "tubas": N_("Tubas"),
    "tulkarm": N_("Tulkarm"),
    "nablus": N_("Nablus"),
    "qalqilya": N_("Qalqilya"),
    "salfit": N_("Salfit"),
    "ramallah": N_("Ramallah and Al-Bireh"),
    "jericho": N_("Jericho and the Jordan Valley"),
    "bethlehem": N_("Bethlehem"),
    "hebron": N_("Hebron"),
    "north_gaza": N_("North Gaza"),
    "gaza": N_("Gaza"),
    "deir_al_balah": N_("Deir al-Balah"),
    "khan_yunis": N_("Khan Yunis"),
    "rafah": N_("Rafah"),
}

DEGREE_NAMES = {
    "secondary": N_("General secondary certificate (Tawjihi)"),
    "diploma": N_("Intermediate diploma"),
    "bachelor": N_("Bachelor's degree"),
    "higher_diploma": N_("Higher diploma"),
    "master": N_("Master's degree"),
    "doctorate": N_("Doctorate"),
}

DOCUMENT_KIND_NAMES = {
    "national_id": N_("Identity card"),
    "diploma": N_("Degree certificate"),
    "transcript": N_("Transcript of grades"),
    "experience_certificate": N_("Experience certificate"),
    "training_certificate": N_("Training certificate"),
    "birth_certificate": N_("Birth certificate"),
    "photo": N_("Personal photo"),
    "other": N_("Other documents"),
}

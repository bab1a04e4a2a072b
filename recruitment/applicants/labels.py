"""Display names of the language levels a profile stores, as catalogue messages.

Degree levels and document kinds are named in recruitment.announcements.labels.
"""

from archive_api.errors import N_

LANGUAGE_LEVEL_LABELS = {
    "basic": N_("Basic"),
    "good": N_("Good"),
    "very_good": N_("Very good"),
    "excellent": N_("Excellent"),
    "native": N_("Mother tongue"),
}

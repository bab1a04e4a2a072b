"""Display names of screening outcomes, session kinds and history steps, as catalogue messages."""

from archive_api.errors import N_

OUTCOME_LABELS = {
    "accepted": N_("Accepted"),
    "rejected": N_("Rejected"),
}

# The screening list's decision filter: its values and their names.
DECISION_FILTER_LABELS = {
    "undecided": N_("Undecided"),
    "accepted": N_("Accepted"),
    "rejected": N_("Rejected"),
}

KIND_LABELS = {
    "exam": N_("Exam"),
    "interview": N_("Interview"),
}

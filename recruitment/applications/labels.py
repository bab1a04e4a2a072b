"""Display names of application statuses and history steps, as catalogue messages."""

from archive_api.errors import N_

STATUS_LABELS = {
    "submitted": N_("Submitted"),
    "withdrawn": N_("Withdrawn"),
}

EVENT_LABELS = {
    "submitted": N_("Application submitted"),
    "withdrawn": N_("Application withdrawn"),
    "resubmitted": N_("Application submitted again"),
}

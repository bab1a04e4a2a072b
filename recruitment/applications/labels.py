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
    # Screening steps (recruitment.screening.models); applicants see only the last four.
    "screening_accepted": N_("Screening committee: accepted"),
    "screening_rejected": N_("Screening committee: rejected"),
    "screening_passed": N_("Passed the screening"),
    "screening_not_passed": N_("Did not pass the screening"),
    "exam_scheduled": N_("Exam date set"),
    "interview_scheduled": N_("Interview date set"),
}

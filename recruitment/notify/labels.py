"""Display names of outbox codes (statuses, templates, stages), as catalogue messages.

A code without an entry (a stage added later) is shown as it is stored.
"""

from archive_api.errors import N_

STATUS_LABELS = {
    "queued": N_("Waiting in the outbox"),
    "sent": N_("Sent"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
}

TEMPLATE_LABELS = {
    "sign_up_code": N_("Mobile confirmation code"),
    "password_reset_code": N_("Password reset code"),
    "password_changed": N_("Password changed"),
    "application_received": N_("Application received"),
    "screening_passed": N_("Passed the screening"),
    "screening_not_passed": N_("Did not pass the screening"),
    "exam_scheduled": N_("Exam date"),
    "interview_scheduled": N_("Interview date"),
}

STAGE_LABELS = {
    "sign_up": N_("Sign-up"),
    "password_reset": N_("Password reset"),
    "application": N_("Application"),
    "screening": N_("Screening"),
    "exam": N_("Exam"),
    "interview": N_("Interview"),
}

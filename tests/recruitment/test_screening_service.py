"""Screening committees, decisions and bulk decisions, through the service with real database rows."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from archive_api.audit.models import AuditEntry
from archive_api.errors import PermissionDenied
from archive_api.timeutil import utcnow
from recruitment.applications.errors import InvalidApplicationFilter
from recruitment.applications.listing import ApplicationFilters
from recruitment.applications.models import ApplicationEvent
from recruitment.screening.committees import members_of, save_committee
from recruitment.screening.decisions import ScreeningFilters, bulk_decide
from recruitment.screening.errors import (
    CommitteeNotFound,
    InvalidCommittee,
    InvalidDecision,
    InvalidReason,
    NotCommitteeMember,
    ScreeningClosed,
    ScreeningNotOpen,
)
from recruitment.screening.listing import screening_counts, undecided_applications
from recruitment.screening.models import ScreeningCommittee, ScreeningDecision
from recruitment.screening.reasons import add_reason, list_reasons, restore_reason, retire_reason
from tests.recruitment import test_screening_fixtures as support
from tests.recruitment.test_screening_fixtures import (
    CHAIR,
    EXPERIENCE,
    decide_as,
    form_committee,
    reason_id,
    staff,
)

app = support.app
client = support.client
committee = support.committee
fresh_throttles = support.fresh_throttles
gpc = support.gpc
make_announcement = support.make_announcement
new_client = support.new_client
other_staff = support.other_staff
outsiders = support.outsiders
qualified = support.qualified
screening_job = support.screening_job


def _events(archive, application_id: int) -> list[str]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(ApplicationEvent.status).where(
            ApplicationEvent.application_id == application_id).order_by(ApplicationEvent.id)))


def _audit(archive, action: str) -> list[AuditEntry]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _decision(archive, application_id: int) -> ScreeningDecision | None:
    with archive.db.session(write=False) as session:
        return session.scalar(select(ScreeningDecision).where(ScreeningDecision.application_id == application_id))


# --- committees ----------------------------------------------------------------------------------


def test_committee_saved(archive, committee, screening_job):
    with archive.db.session(write=False) as session:
        saved = session.get(ScreeningCommittee, committee)
        members = [user.username for user in members_of(session, saved)]

    assert members == ["gpc.clerk", "gpc.reader"]
    assert saved.chair.username == CHAIR
    assert len(_audit(archive, "screening_committee_save")) == 1


@pytest.mark.parametrize(("members", "chair", "field"), [
    ((), "gpc.clerk", "members"),
    (("gpc.reader",), "gpc.clerk", "chair"),
    (("gpc.reader", "hr.admin"), "gpc.reader", "members"),
])
def test_committee_bad_members(archive, screening_job, outsiders, members, chair, field):
    with pytest.raises(InvalidCommittee) as raised:
        form_committee(archive, screening_job.announcement_id, members, chair)

    assert field in raised.value.field_errors


def test_committee_needs_chair(archive, screening_job):
    with archive.db.session() as session, pytest.raises(InvalidCommittee) as raised:
        save_committee(session, staff(session, "gpc.admin"), screening_job.announcement_id,
                       [staff(session, "gpc.reader").id], None)

    assert list(raised.value.field_errors) == ["chair"]


@pytest.mark.parametrize("username", ["gpc.reader", "hr.admin"])
def test_committee_editors_only(archive, screening_job, outsiders, username):
    with archive.db.session() as session, pytest.raises(PermissionDenied):
        save_committee(session, staff(session, username), screening_job.announcement_id,
                       [staff(session, "gpc.reader").id], staff(session, "gpc.reader").id)


# --- decisions -----------------------------------------------------------------------------------


def test_accept_recorded(archive, committee, screening_job):
    huda = screening_job.applications["huda"]

    decide_as(archive, CHAIR, screening_job.announcement_id, huda.id, "accepted")

    assert _decision(archive, huda.id).outcome == "accepted"
    assert _events(archive, huda.id)[-1] == "screening_accepted"
    assert json.loads(_audit(archive, "screening_decision")[0].details)["outcome"] == "accepted"


def test_reject_without_reason(archive, committee, screening_job):
    omar = screening_job.applications["omar"]

    with pytest.raises(InvalidDecision) as raised:
        decide_as(archive, CHAIR, screening_job.announcement_id, omar.id, "rejected")

    assert "needs a reason" in str(raised.value)
    assert _decision(archive, omar.id) is None


@pytest.mark.parametrize(("outcome", "reason", "notes", "error"), [
    ("maybe", None, "", InvalidDecision),
    ("rejected", 99999, "", InvalidReason),
    ("accepted", None, "ن" * 501, InvalidDecision),
])
def test_decision_bad_values(archive, committee, screening_job, outcome, reason, notes, error):
    with pytest.raises(error):
        decide_as(archive, CHAIR, screening_job.announcement_id, screening_job.applications["omar"].id, outcome,
                  reason, notes)

    assert _decision(archive, screening_job.applications["omar"].id) is None


def test_retired_reason_refused(archive, committee, screening_job):
    retired = reason_id(archive, EXPERIENCE)
    with archive.db.session() as session:
        retire_reason(session, staff(session, "gpc.admin"), retired)

    with pytest.raises(InvalidDecision):
        decide_as(archive, CHAIR, screening_job.announcement_id, screening_job.applications["omar"].id, "rejected",
                  retired)


def test_non_member_refused(archive, committee, screening_job, other_staff):
    with pytest.raises(NotCommitteeMember):
        decide_as(archive, other_staff, screening_job.announcement_id, screening_job.applications["huda"].id,
                  "accepted")


def test_outsider_refused(archive, committee, screening_job, outsiders):
    with pytest.raises(PermissionDenied):
        decide_as(archive, "hr.admin", screening_job.announcement_id, screening_job.applications["huda"].id,
                  "accepted")


def test_other_announcement_refused(archive, committee, screening_job, make_announcement, qualified):
    other = support.closed_announcement(make_announcement, number="150/2026")
    stranger = support.support.submit(archive, qualified(), other, now=utcnow() - timedelta(days=2))[0]

    with pytest.raises(InvalidDecision) as raised:
        decide_as(archive, CHAIR, screening_job.announcement_id, stranger, "accepted")

    assert "150/2026" not in str(raised.value)
    assert "147/2026" in str(raised.value)
    assert _decision(archive, stranger) is None


def test_withdrawn_not_screened(archive, committee, screening_job):
    with pytest.raises(InvalidDecision):
        decide_as(archive, CHAIR, screening_job.announcement_id, screening_job.applications["ahmad"].id, "accepted")


def test_open_announcement_refused(archive, make_announcement, qualified):
    open_job = make_announcement()
    application_id = support.support.submit(archive, qualified(), open_job)[0]
    form_committee(archive, open_job)

    with pytest.raises(ScreeningNotOpen):
        decide_as(archive, CHAIR, open_job, application_id, "accepted")


def test_no_committee(archive, screening_job):
    with pytest.raises(CommitteeNotFound):
        decide_as(archive, CHAIR, screening_job.announcement_id, screening_job.applications["huda"].id, "accepted")


def test_decision_change_recorded(archive, committee, screening_job):
    omar = screening_job.applications["omar"]
    decide_as(archive, CHAIR, screening_job.announcement_id, omar.id, "accepted")

    decide_as(archive, "gpc.reader", screening_job.announcement_id, omar.id, "rejected",
              reason_id(archive, EXPERIENCE), "سنتان فقط")

    changed = _decision(archive, omar.id)
    last_audit = json.loads(_audit(archive, "screening_decision")[-1].details)
    assert changed.outcome == "rejected"
    assert changed.notes == "سنتان فقط"
    assert _events(archive, omar.id)[-2:] == ["screening_accepted", "screening_rejected"]
    assert last_audit["previous"] == "accepted"


def test_same_decision_records_nothing(archive, committee, screening_job):
    huda = screening_job.applications["huda"]
    decide_as(archive, CHAIR, screening_job.announcement_id, huda.id, "accepted")

    decide_as(archive, CHAIR, screening_job.announcement_id, huda.id, "accepted")

    assert _events(archive, huda.id).count("screening_accepted") == 1
    assert len(_audit(archive, "screening_decision")) == 1


def test_accept_drops_reason(archive, committee, screening_job):
    huda = screening_job.applications["huda"]

    decide_as(archive, CHAIR, screening_job.announcement_id, huda.id, "accepted", reason_id(archive, EXPERIENCE))

    assert _decision(archive, huda.id).reason_id is None


def test_counts_and_undecided(archive, committee, screening_job):
    decide_as(archive, CHAIR, screening_job.announcement_id, screening_job.applications["huda"].id, "accepted")

    with archive.db.session(write=False) as session:
        saved = session.get(ScreeningCommittee, committee)
        counts = screening_counts(session, saved)
        undecided = [application.number for application in undecided_applications(session, saved)]

    assert (counts.accepted, counts.rejected, counts.undecided) == (1, 0, 2)
    assert undecided == [screening_job.applications["omar"].number, screening_job.applications["sara"].number]


# --- bulk decisions ------------------------------------------------------------------------------


def _bulk(archive, job, filters: ScreeningFilters, outcome: str, reason: int | None = None, notes: str = ""):
    with archive.db.session() as session:
        return bulk_decide(session, staff(session, CHAIR), job.announcement_id, filters, outcome, reason, notes)


def test_bulk_undecided(archive, committee, screening_job):
    decide_as(archive, CHAIR, screening_job.announcement_id, screening_job.applications["huda"].id, "rejected",
              reason_id(archive, EXPERIENCE))

    result = _bulk(archive, screening_job, ScreeningFilters(ApplicationFilters(), decision="undecided"), "accepted")

    assert result.changed == 2
    assert _decision(archive, screening_job.applications["huda"].id).outcome == "rejected"
    assert _decision(archive, screening_job.applications["omar"].id).outcome == "accepted"
    assert _decision(archive, screening_job.applications["ahmad"].id) is None


def test_bulk_skips_withdrawn(archive, committee, screening_job):
    result = _bulk(archive, screening_job, ScreeningFilters(ApplicationFilters()), "accepted")

    assert result.changed == 3
    assert result.withdrawn_skipped == 1


def test_bulk_by_name(archive, committee, screening_job):
    result = _bulk(archive, screening_job, ScreeningFilters(ApplicationFilters(query="عمر")), "rejected",
                   reason_id(archive, EXPERIENCE))

    assert result.changed == 1
    assert _decision(archive, screening_job.applications["omar"].id).outcome == "rejected"


def test_bulk_reject_needs_reason(archive, committee, screening_job):
    with pytest.raises(InvalidDecision):
        _bulk(archive, screening_job, ScreeningFilters(ApplicationFilters()), "rejected")

    assert _decision(archive, screening_job.applications["huda"].id) is None


@pytest.mark.parametrize("filters", [
    ScreeningFilters(ApplicationFilters(governorate="paris")),
    ScreeningFilters(ApplicationFilters(), decision="maybe"),
    ScreeningFilters(ApplicationFilters(query="ا" * 101)),
])
def test_bulk_bad_filter(archive, committee, screening_job, filters):
    with pytest.raises(InvalidApplicationFilter):
        _bulk(archive, screening_job, filters, "accepted")

    assert _decision(archive, screening_job.applications["huda"].id) is None


def test_bulk_nothing_matches(archive, committee, screening_job):
    with pytest.raises(InvalidDecision):
        _bulk(archive, screening_job, ScreeningFilters(ApplicationFilters(query="غير موجود")), "accepted")


def test_bulk_non_member(archive, committee, screening_job, other_staff):
    with archive.db.session() as session, pytest.raises(NotCommitteeMember):
        bulk_decide(session, staff(session, other_staff), screening_job.announcement_id,
                    ScreeningFilters(ApplicationFilters()), "accepted")


def test_decisions_frozen_after_close(archive, committee, screening_job):
    support.decide_all(archive, screening_job)
    from recruitment.screening.closing import close_screening

    with archive.db.session() as session:
        close_screening(session, staff(session, CHAIR), screening_job.announcement_id)

    with pytest.raises(ScreeningClosed):
        decide_as(archive, CHAIR, screening_job.announcement_id, screening_job.applications["huda"].id, "rejected",
                  reason_id(archive, EXPERIENCE))
    with pytest.raises(ScreeningClosed):
        form_committee(archive, screening_job.announcement_id)


# --- reasons -------------------------------------------------------------------------------------


def test_default_reasons_seeded(archive):
    with archive.db.session(write=False) as session:
        labels = [reason.label_en for reason in list_reasons(session)]

    assert EXPERIENCE in labels
    assert len(labels) >= 7


def test_reason_added_and_retired(archive, gpc):
    with archive.db.session() as session:
        admin = staff(session, "gpc.admin")
        added = add_reason(session, admin, "  العمر  لا يطابق الشروط ", "Age does not meet the conditions")
        retire_reason(session, admin, added.id)
        offered = [reason.id for reason in list_reasons(session)]
        restore_reason(session, admin, added.id)
        offered_again = [reason.id for reason in list_reasons(session)]

    assert added.label_ar == "العمر لا يطابق الشروط"
    assert added.id not in offered
    assert added.id in offered_again


@pytest.mark.parametrize(("label_ar", "label_en"), [
    ("", "Empty Arabic"),
    ("سبب", ""),
    ("Not Arabic", "Not Arabic"),
    ("س" * 121, "Too long"),
    ("الخبرة غير كافية", "Experience"),
    ("خبرة", "insufficient EXPERIENCE"),
])
def test_reason_bad_labels(archive, gpc, label_ar, label_en):
    with archive.db.session() as session, pytest.raises(InvalidReason):
        add_reason(session, staff(session, "gpc.admin"), label_ar, label_en)


def test_reason_editors_only(archive, gpc):
    with archive.db.session() as session, pytest.raises(PermissionDenied):
        add_reason(session, staff(session, "gpc.reader"), "سبب جديد", "New reason")

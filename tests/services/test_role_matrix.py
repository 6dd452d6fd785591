"""Every service operation, called as every role: refused or allowed exactly as docs/security.md says.

The probe passes a database stand-in that fails on first use. A role without the permission must
be refused with ``PermissionDeniedError`` before the database is touched; a role with it must get
past the check (and then trip over the stand-in). Each role is a real user signed in to a real clinic
(the services check the sign-in against the database it was issued by, not the stand-in); a hand-built
``Actor`` is refused whatever its roles. A new service operation that is missing from
``EXPECTED`` fails the completeness test, so nobody can add one without deciding who may use it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import acudesk.services as services_package
from acudesk.domain.errors import PermissionDeniedError
from acudesk.services.context import ADMINISTRATOR, PRACTITIONER, RECEPTIONIST, Actor
from acudesk.services.permissions import Permission as P
from acudesk.services.sign_ins import SignInNotValidError

ANY_USER = None  # operations every signed-in user may perform (their own password, unlocking, automatic backups)

EXPECTED: dict[str, P | None] = {
    "adverse_events.list_adverse_events": P.VIEW_CLINICAL,
    "adverse_events.record_adverse_event": P.EDIT_CLINICAL,
    "adverse_events.resolve_adverse_event": P.EDIT_CLINICAL,
    "appointments.appointment_now": P.VIEW_SCHEDULE,
    "appointments.cancel_appointment": P.EDIT_SCHEDULE,
    "appointments.cancel_future_visits": P.EDIT_SCHEDULE,  # archiving a patient with visits booked
    "appointments.check_in": P.EDIT_SCHEDULE,
    "appointments.complete_appointment": P.EDIT_SCHEDULE,
    "appointments.mark_no_show": P.EDIT_SCHEDULE,
    "appointments.move_appointment": P.EDIT_SCHEDULE,
    "appointments.move_following": P.EDIT_SCHEDULE,
    "appointments.move_check": P.EDIT_SCHEDULE,
    "appointments.undo_check_in": P.EDIT_SCHEDULE,
    "audit.list_events": P.VIEW_AUDIT,
    "audit.people": P.VIEW_AUDIT,  # the audit viewer's "Who" filter
    "auth.change_password": ANY_USER,
    "auth.create_user": P.MANAGE_USERS,
    "auth.list_users": P.MANAGE_USERS,
    "auth.reset_password": P.MANAGE_USERS,
    "auth.set_active": P.MANAGE_USERS,
    "auth.set_roles": P.MANAGE_USERS,
    "auth.sign_out": ANY_USER,
    "auth.unlock": ANY_USER,
    "backups.automatic_backup": ANY_USER,  # the safety net runs for whoever is signed in
    "backups.restore_backup": P.MANAGE_BACKUPS,
    "checkpoints.checkpoint_now": P.MANAGE_BACKUPS,
    "checkpoints.export_key": P.MANAGE_BACKUPS,
    "checkpoints.import_key": P.MANAGE_BACKUPS,
    "checkpoints.verify_trail": P.VIEW_AUDIT,
    "calendar_data.appointments_between": P.VIEW_SCHEDULE,
    "calendar_data.calendar_range": P.VIEW_SCHEDULE,
    "calendar_data.course_outlook": P.VIEW_SCHEDULE,
    "calendar_data.resources": P.VIEW_SCHEDULE,
    "calendar_data.todays_list": P.VIEW_SCHEDULE,
    "clinic.set_idle_lock_minutes": P.MANAGE_CLINIC,
    "clinic_settings.add_closure": P.MANAGE_CLINIC,
    "clinic_settings.add_room": P.MANAGE_CLINIC,
    "clinic_settings.add_visit_type": P.MANAGE_CLINIC,
    "clinic_settings.clinic_settings": P.MANAGE_CLINIC,
    "clinic_settings.remove_closure": P.MANAGE_CLINIC,
    "clinic_settings.rename_room": P.MANAGE_CLINIC,
    "clinic_settings.set_opening_hours": P.MANAGE_CLINIC,
    "clinic_settings.set_room_in_use": P.MANAGE_CLINIC,
    "clinic_settings.set_visit_type_in_use": P.MANAGE_CLINIC,
    "clinic_settings.update_clinic_details": P.MANAGE_CLINIC,
    "clinic_settings.update_visit_type": P.MANAGE_CLINIC,
    "encryption.decrypt_clinic": P.MANAGE_BACKUPS,  # and MANAGE_CLINIC: administrators alone
    "encryption.encrypt_clinic": P.MANAGE_BACKUPS,
    "courses.book_course": P.EDIT_SCHEDULE,
    "courses.bookable_plan_id": P.VIEW_SCHEDULE,
    "courses.preview_course": P.VIEW_SCHEDULE,
    "documents.care_summary_data": P.VIEW_CLINICAL,
    "documents.day_list_data": P.PRINT_HANDOUTS,
    "documents.handout_data": P.PRINT_HANDOUTS,
    "documents.receipt_data": P.PRINT_HANDOUTS,
    "documents.referral_data": P.VIEW_CLINICAL,
    "flag_clearances.list_clearances": P.VIEW_CLINICAL,
    "flag_clearances.record_clearance": P.EDIT_CLINICAL,
    "intakes.list_intakes": P.VIEW_CLINICAL,
    "intakes.record_referral": P.EDIT_CLINICAL,
    "intakes.rescreen_advice": P.VIEW_CLINICAL,
    "intakes.save_intake": P.EDIT_CLINICAL,
    "intakes.sign_intake": P.EDIT_CLINICAL,
    "intakes.treatment_gate_for": P.VIEW_CLINICAL,
    "maintenance.backup_database": P.MANAGE_BACKUPS,
    "maintenance.repair_rules": P.MANAGE_CLINIC,
    "waitlist.add_to_waitlist": P.EDIT_SCHEDULE,
    "waitlist.book_offer": P.EDIT_SCHEDULE,
    "waitlist.close_entry": P.EDIT_SCHEDULE,
    "waitlist.list_waitlist": P.VIEW_SCHEDULE,
    "waitlist.offers_after": P.VIEW_SCHEDULE,
    "waitlist.offers_for_slot": P.VIEW_SCHEDULE,
    "waitlist.waitlist_choices": P.VIEW_SCHEDULE,
    "migrate_to.migrate_to": P.MANAGE_BACKUPS,  # moving the clinic's data is a backup-and-restore act
    "server_backups.backup_server_database": P.MANAGE_BACKUPS,
    "outcomes.outcome_summary": P.VIEW_CLINICAL,
    "outcomes.record_outcome": P.EDIT_CLINICAL,
    "patient_pane.patient_pane": P.VIEW_PATIENTS,  # the triage level only for clinical roles
    "patients.get_patient": P.VIEW_PATIENTS,
    "patients.patient_rows": P.VIEW_PATIENTS,
    "patients.register_patient": P.EDIT_PATIENTS,
    "patients.search_patient_ids": P.VIEW_PATIENTS,
    "patients.search_patients": P.VIEW_PATIENTS,
    "patients.set_archived": P.ARCHIVE_PATIENTS,
    "patients.visits_booked_ahead": P.VIEW_PATIENTS,
    "patients.update_patient": P.EDIT_PATIENTS,
    "pain_drawings.history": P.VIEW_CLINICAL,
    "pain_drawings.occasions": P.VIEW_CLINICAL,
    "pain_drawings.save_drawing": P.EDIT_CLINICAL,
    "plans.activate_plan": P.EDIT_CLINICAL,
    "plans.list_plans": P.VIEW_CLINICAL,
    "plans.plan_context": P.VIEW_CLINICAL,
    "plans.repeat_last": P.VIEW_CLINICAL,
    "plans.save_plan": P.EDIT_CLINICAL,
    "replanning.accept_proposal": P.EDIT_SCHEDULE,
    "replanning.taper_proposal": P.VIEW_CLINICAL,  # the proposal rests on pain scores: clinical
    "slots.booking_preferences": P.VIEW_SCHEDULE,
    "slots.first_free_slots": P.VIEW_SCHEDULE,
    "slots.set_booking_preferences": P.EDIT_SCHEDULE,
    "scheduling_ics.course_calendar": P.VIEW_SCHEDULE,
    "scheduling_ics.export_course_ics": P.VIEW_SCHEDULE,
    "sessions.amend_session": P.EDIT_CLINICAL,
    "sessions.list_sessions": P.VIEW_CLINICAL,
    "sessions.new_session_draft": P.EDIT_CLINICAL,
    "sessions.save_session": P.EDIT_CLINICAL,
    "sessions.session_history": P.VIEW_CLINICAL,
    "sessions.sign_session": P.EDIT_CLINICAL,
}
# Documents depend on their kind: clinical documents need clinical access, the rest front-desk access.
DOCUMENT_KINDS: dict[str, P] = {
    "handout": P.PRINT_HANDOUTS, "receipt": P.PRINT_HANDOUTS, "daylist": P.PRINT_HANDOUTS,
    "summary": P.VIEW_CLINICAL, "referral": P.VIEW_CLINICAL,
}
NOT_OPERATIONS = {"audit.record", "permissions.allowed", "permissions.permissions_of", "permissions.require",
                  "permissions.require_signed_in", "sign_ins.current_roles", "sign_ins.end",  # the checks themselves
                  "document_export.export_document", "document_export.render_document",
                  "document_export.render_to_file", "document_export.record_print",
                  "adverse_events.open_retained_needle"}  # inside a session write, after its permission check

ROLES = (RECEPTIONIST, PRACTITIONER, ADMINISTRATOR)
USERS = {RECEPTIONIST: ("desk", "Front Desk"), PRACTITIONER: ("needles", "Practitioner"),
         ADMINISTRATOR: ("boss", "Administrator")}
PASSWORD = "role matrix password"


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Actor]]:
    """One user per role, each holding only that role, signed in with their password."""
    from acudesk.services import auth
    from acudesk.services.clinic import ClinicSetup, create_clinic
    from acudesk.services.maintenance import open_database

    database = open_database(Path(tmp_path_factory.mktemp("matrix")) / "clinic.sqlite3")
    founder = create_clinic(database, ClinicSetup("Matrix clinic", "GB", "Europe/London", "founder", "Founder",
                                                  PASSWORD))
    for role, (name, display) in USERS.items():
        auth.create_user(database, founder, name, display, (role,), PASSWORD)
    yield {role: auth.sign_in(database, USERS[role][0], PASSWORD) for role in ROLES}
    database.dispose()


class DatabaseTouched(Exception):
    pass


class UntouchableDatabase:
    """Stands in for the database: any use means the permission check has already passed."""

    def __getattr__(self, name: str) -> object:
        raise DatabaseTouched(name)


def _operations() -> dict[str, Callable[..., object]]:
    found = {}
    for info in pkgutil.iter_modules(services_package.__path__):
        module = importlib.import_module(f"acudesk.services.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_") \
                    and "actor" in inspect.signature(function).parameters:
                found[f"{info.name}.{name}"] = function
    return found


OPERATIONS = _operations()


def _call(function: Callable[..., object], actor: Actor, **overrides: object) -> BaseException | None:
    arguments = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if name == "actor":
            arguments[name] = actor
        elif name in overrides:
            arguments[name] = overrides[name]
        elif name == "database":
            arguments[name] = UntouchableDatabase()
        elif parameter.default is inspect.Parameter.empty:
            arguments[name] = None
    try:
        function(**arguments)
    except BaseException as error:
        return error
    return None


def test_every_service_operation_has_a_decided_permission() -> None:
    undecided = set(OPERATIONS) - set(EXPECTED) - NOT_OPERATIONS
    assert not undecided, f"add to EXPECTED (and docs/security.md): {sorted(undecided)}"
    stale = set(EXPECTED) - set(OPERATIONS)
    assert not stale, f"no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(EXPECTED))
def test_operation_refuses_or_allows_the_role(operation: str, role: str, signed_in: dict[str, Actor]) -> None:
    from acudesk.services.permissions import allowed

    actor = signed_in[role]
    permission = EXPECTED[operation]
    outcome = _call(OPERATIONS[operation], actor)
    if permission is None or allowed(actor, permission):
        assert not isinstance(outcome, PermissionDeniedError), f"{role} should be allowed to {operation}"
    else:
        assert isinstance(outcome, PermissionDeniedError), (
            f"{role} must be refused {operation} before any work; got {type(outcome).__name__}"
        )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", DOCUMENT_KINDS)
@pytest.mark.parametrize("operation", ["document_export.export_document", "document_export.render_document",
                                       "document_export.render_to_file"])
def test_documents_need_clinical_access_only_when_clinical(
    operation: str, kind: str, role: str, signed_in: dict[str, Actor]
) -> None:
    from acudesk.services.permissions import allowed

    actor = signed_in[role]
    outcome = _call(OPERATIONS[operation], actor, kind=kind, patient_id=1)
    if allowed(actor, DOCUMENT_KINDS[kind]):
        assert not isinstance(outcome, PermissionDeniedError)
    else:
        assert isinstance(outcome, PermissionDeniedError)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", DOCUMENT_KINDS)
def test_recording_a_print_needs_the_documents_permission(kind: str, role: str, signed_in: dict[str, Actor]) -> None:
    from acudesk.services.document_export import RenderedFile, record_print
    from acudesk.services.permissions import allowed

    actor = signed_in[role]
    rendered = RenderedFile(Path(f"{kind}.pdf"), kind, 1, None, None, "0" * 64, 1)
    outcome = _call(record_print, actor, rendered=rendered, printer="Reception")
    if allowed(actor, DOCUMENT_KINDS[kind]):
        assert not isinstance(outcome, PermissionDeniedError)
    else:
        assert isinstance(outcome, PermissionDeniedError)


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_restore_backups(role: str, tmp_path, signed_in: dict[str, Actor]) -> None:
    from acudesk.services.backups import restore_backup

    try:
        restore_backup(signed_in[role], tmp_path / "none.sqlite3", tmp_path / "target.sqlite3")
    except PermissionDeniedError:
        assert role != ADMINISTRATOR
    except Exception:
        assert role == ADMINISTRATOR


@pytest.mark.parametrize("operation", sorted(name for name, permission in EXPECTED.items() if permission is not None)
                         + ["auth.change_password", "backups.automatic_backup"])
def test_a_hand_built_actor_is_refused_whatever_roles_it_claims(operation: str) -> None:
    """Every role claimed, but no sign-in: refused before the database is touched."""
    outcome = _call(OPERATIONS[operation], Actor(1, "boss", "Administrator", frozenset(ROLES)))
    assert isinstance(outcome, SignInNotValidError), f"a hand-built actor got past {operation}: {outcome!r}"
    assert outcome.message == "Your sign-in is no longer valid: sign in again."

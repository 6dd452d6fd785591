"""``acudesk export KIND --out FILE.pdf``: print a document to PDF.

    acudesk export handout  [--patient ID] --out FILE.pdf     (no --patient: the general handout)
    acudesk export summary  --patient ID --out FILE.pdf
    acudesk export referral --patient ID --out FILE.pdf       (refused unless the triage asks for referral)
    acudesk export receipt  --patient ID [--appointment ID] --out FILE.pdf
    acudesk export daylist  --date YYYY-MM-DD --out FILE.pdf

``--db PATH`` (global) chooses the database; global ``--demo`` builds the demo clinic in a temporary
database first. The command signs in (``--user NAME``, acudesk/cli/signin.py) and prints with that
user's permissions: a receptionist prints handouts, receipts and day lists, and is refused care
summaries and referral letters. Every export is recorded and audited under the signed-in user.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from datetime import date
from pathlib import Path

from acudesk.cli import signin
from acudesk.cli.common import database_option, positive_int
from acudesk.domain.errors import ValidationError
from acudesk.domain.input_limits import check_calendar_day

KINDS = ("handout", "summary", "referral", "receipt", "daylist")


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser("export", help="print a handout, care summary, referral, receipt or day list")
    export.add_argument("kind", choices=KINDS, help="which document")
    export.add_argument("--patient", type=positive_int, metavar="ID", help="patient number")
    export.add_argument("--appointment", type=positive_int, metavar="ID", help="receipt for one appointment only")
    export.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help="the day list's date")
    export.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help="PDF file to write")
    export.add_argument("--db", dest="export_db", type=database_option, metavar="PATH_OR_URL", help=argparse.SUPPRESS)
    signin.add_command_options(export)
    export.set_defaults(handler=run_export)


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
        check_calendar_day(day)  # year 9999 has no next day to end the list at
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None
    except ValidationError as error:
        raise argparse.ArgumentTypeError(error.message) from None
    return day


def _check_arguments(args: argparse.Namespace) -> None:
    if args.kind == "daylist":
        if args.date is None:
            raise ValidationError("The day list needs --date YYYY-MM-DD.", field="date")
    elif args.kind != "handout" and args.patient is None:
        raise ValidationError(f"The {args.kind} needs --patient ID.", field="patient")
    if args.appointment is not None and args.kind != "receipt":
        raise ValidationError("--appointment applies to receipts only.", field="appointment")
    if args.out.suffix.lower() != ".pdf":
        raise ValidationError(f"The output file should end in .pdf: {args.out}", field="out")


def run_export(args: argparse.Namespace) -> int:
    from acudesk.services.document_export import export_document
    from acudesk.services.maintenance import open_database

    _check_arguments(args)
    signin.username(args)  # a clear refusal before any database is opened
    if getattr(args, "export_db", None):
        args.db = args.export_db
    demo_dir = None
    if getattr(args, "demo", False):
        from acudesk.services.demo import build_demo_clinic

        demo_dir = tempfile.mkdtemp(prefix="acudesk-demo-")
        database = open_database(str(Path(demo_dir) / "demo.sqlite3"))
        build_demo_clinic(database)
        actor = None
    else:
        from acudesk.cli.common import database_target

        signed_in = signin.open_signed_in(args, database_target(args))  # an encrypted clinic opens at sign-in
        database, actor = signed_in.database, signed_in.actor
    try:
        actor = actor or signin.sign_in(args, database)
        result = export_document(
            database, actor, args.kind, args.out, patient_id=args.patient, day=args.date,
            appointment_id=args.appointment,
        )
    finally:
        signin.sign_out(actor)
        database.dispose()
        if demo_dir:
            shutil.rmtree(demo_dir, ignore_errors=True)
    print(f"Wrote {result.path} ({result.pages} page{'s' if result.pages != 1 else ''}, sha256 {result.sha256[:12]}…)")
    return 0

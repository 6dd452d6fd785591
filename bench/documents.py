"""The care summary and the patient handout, when ``acudesk.services.documents`` exists.

Another issue builds the documents; until its service is in this checkout the rows say
"not available yet" rather than measuring a stand-in.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from functools import partial
from typing import Any

from bench.build import Clinic
from bench.stats import Timing, repeat_each

# (row key, document kind for render_document, data function for the breakdown)
DOCUMENTS = (("care_summary", "summary", "care_summary_data"), ("handout", "handout", "handout_data"))


def documents_module(name: str = "documents") -> Any | None:
    """``acudesk.services.<name>`` (the data: ``documents``; rendering: ``document_export``), if it exists."""
    if importlib.util.find_spec(f"acudesk.services.{name}") is None:
        return None
    return importlib.import_module(f"acudesk.services.{name}")


def measure_documents(clinic: Clinic, runs: int) -> dict[str, tuple[Timing | None, str]]:
    """Row key -> (timing or None, note); also "<key>_data" rows for the data-gathering part alone."""
    module = documents_module()
    export = documents_module("document_export")
    render: Callable[..., Any] | None = getattr(export, "render_document", None) if export else None
    if render is None:
        return {key: (None, "not available yet (no acudesk.services.document_export.render_document)")
                for key, _kind, _data in DOCUMENTS}
    from acudesk.services.clinic import default_actor
    from bench.engines import open_clinic

    database = open_clinic(clinic.path)
    results: dict[str, tuple[Timing | None, str]] = {}
    try:
        actor = default_actor(database)
        patients = list(clinic.chart_patient_ids[:5])
        for key, kind, data_name in DOCUMENTS:
            try:
                works = [partial(render, database, actor, kind, patient_id=pid) for pid in patients]
                pdf, pages = works[0]()
                results[key] = (repeat_each(works, runs),
                                f"render_document('{kind}'): data + PDF, {pages} pages, {len(pdf) // 1024} KB")
                data = getattr(module, data_name, None)
                if data is not None:
                    results[f"{key}_data"] = (repeat_each([partial(data, database, actor, pid) for pid in patients],
                                                          runs), f"{data_name} alone (queries, no PDF)")
            except Exception as error:  # an unfinished service must not stop the other measurements
                results[key] = (None, f"failed: {type(error).__name__}: {error}"[:160])
        return results
    finally:
        database.dispose()

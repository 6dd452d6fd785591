"""The patient chart: intake with red-flag triage, treatment plan with body chart, sessions, outcomes.

One window per patient (``window.PatientChartWindow``), one module per tab and per dialog.
"""

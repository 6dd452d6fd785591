"""The reception calendar: week and day views, today's front-desk list, and course booking.

Screens ask ``services.calendar_data`` for one range at a time on the worker and paint the result;
every change goes through ``services.appointments`` or ``services.courses`` and then reloads.
"""

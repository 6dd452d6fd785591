"""AcuDesk's clinic-scale benchmark (``make bench``): real code paths next to the floor they cannot beat.

Not part of ``make test``. See docs/performance.md for how to run it and what the numbers mean.
"""

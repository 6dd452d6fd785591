"""Start AcuDesk from a checkout: ``python main.py [options]``."""

from acudesk.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

from acudesk.cli import main

raise SystemExit(main())

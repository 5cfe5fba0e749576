from aib_pilot.cli import main

raise SystemExit(main())

"""``python -m purertc`` runs the command line."""

from purertc.cli.main import main

raise SystemExit(main())

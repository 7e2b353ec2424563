"""`python -m data_access COMMAND …`: see `data_access.cli`."""

from data_access.cli import main

raise SystemExit(main())

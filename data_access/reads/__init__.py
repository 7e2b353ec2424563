"""The questions pages ask: one module per page's questions plus the shared metrics and flags."""

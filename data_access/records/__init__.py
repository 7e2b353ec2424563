"""Records in and out: entry rules, forms, import and export formats."""

"""Who may see what: viewers and their scope, accounts, passwords, web sessions, audit."""

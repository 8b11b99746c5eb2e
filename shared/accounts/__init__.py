"""Login accounts: logging in, passwords, e-mail changes, confirmation, staff."""

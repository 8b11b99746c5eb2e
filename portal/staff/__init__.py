"""Staff pages: for logins with the staff role only."""

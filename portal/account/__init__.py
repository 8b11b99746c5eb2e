"""The patron's login account: confirmation links (more in later issues)."""

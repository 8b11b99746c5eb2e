"""The staff desk (*balie*): search, the patron screen, registration at the desk, the audit log."""

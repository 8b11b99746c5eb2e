"""JSON APIs of the portal for other OpenBalie parts (the branch kiosks)."""

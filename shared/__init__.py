"""OpenBalie's domain: models, rules and services shared by the portal and the kiosk."""

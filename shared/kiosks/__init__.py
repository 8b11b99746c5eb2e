"""Self-service kiosks: devices, identification, tickets, ID checks, kiosk mails."""

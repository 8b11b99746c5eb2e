"""The kiosk's devices: card reader, ID-document reader, receipt printer, scanner."""

"""The kiosk's own Flask extension objects (the portal has its own; the apps share nothing)."""

from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()

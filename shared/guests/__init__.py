"""Guest patrons (*landelijk lenen*, seed 003): their home library asked over SIP2."""

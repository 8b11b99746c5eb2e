"""Online signup (*Word lid*): the registration, its payment, activation and purge."""

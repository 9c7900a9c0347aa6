"""Training and entrepreneurship courses: sign-up, seats, waitlist, attendance, certificates."""

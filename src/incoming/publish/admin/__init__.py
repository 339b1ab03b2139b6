"""The /admin pages: a password login, sessions, CSRF, and the sources to manage."""

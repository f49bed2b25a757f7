"""privacy_admin."""

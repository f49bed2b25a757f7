"""albums."""

"""absence."""

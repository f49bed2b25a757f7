"""family_data."""

"""The year calendar and the private ICS feed."""

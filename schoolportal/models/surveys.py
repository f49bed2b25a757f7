"""Surveys and calls for help."""

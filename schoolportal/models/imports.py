"""Pupil imports from the school administration (CSV)."""

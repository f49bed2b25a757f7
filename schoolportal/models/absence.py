"""Absence reporting and leave requests."""

"""rollover."""

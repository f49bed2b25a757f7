"""The spaces: the school-wide space and one space per group (its posts are the feed's)."""

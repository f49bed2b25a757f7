"""The feed's daily work: the digest of yesterday's news for parents who chose it."""

from schoolportal.feed import posts

DAILY_JOBS = {"feed-digest": posts.send_daily_digest}

"""The group feed and school-wide news: posts, comments, read receipts."""

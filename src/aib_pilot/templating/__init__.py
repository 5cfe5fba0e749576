"""Building and editing image templates before they are submitted (pure functions, no Azure)."""

"""What the faces share: request bodies, the coupon form, rate limits, CSV,
domain errors as HTTP answers, and the database-down handler."""

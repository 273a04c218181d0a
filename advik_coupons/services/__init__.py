"""Services: what the faces ask for — quote, redeem, cancel, coupons, accounts.

Each service runs its own transaction (commit or roll back) and sends its
signal after the commit; it raises the domain's errors, never HTTP ones.
"""

"""The store: the plugin's tables, the queries over them and what is counted in SQL.

Models, loaders, the tracking rollup, the funnel counters, the quote's terms
cache, the migrations and the engine's settings. It imports only the domain.
"""

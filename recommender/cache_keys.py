"""Cache keys shared by reads (selectors) and writes (services), so neither imports the other."""

POPULARITY_CACHE_KEY = "recommender:popularity"
IMPRESSIONS_CACHE_KEY = "recommender:impression-counts"

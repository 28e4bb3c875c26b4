"""Recipes: read through the store and io first, then call domain, outputs and notices."""

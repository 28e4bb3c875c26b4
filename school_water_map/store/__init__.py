"""The database and the data directory: the only writer of user data."""

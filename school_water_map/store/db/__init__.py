"""The database: SQLAlchemy models and Alembic migrations (SQLite by default, PostgreSQL when configured)."""

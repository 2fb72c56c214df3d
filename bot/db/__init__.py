"""Database engine, sessions and models."""

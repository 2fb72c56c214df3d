"""Discord glue shared by the cogs: replies, error handling, who is acting, formatting."""

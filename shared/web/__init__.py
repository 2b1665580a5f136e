"""FastAPI plumbing shared by the services' APIs: limits, errors, tracing, staff auth."""

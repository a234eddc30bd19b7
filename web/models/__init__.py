"""The HTTP API's pydantic bodies: what a request sends (requests) and what a route returns (responses)."""

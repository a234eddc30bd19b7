"""The HTTP routes: `/api` (api, admin) and the OpenAI-compatible `/v1` (openai)."""

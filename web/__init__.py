"""The web edge: a FastAPI app (`create_app` in `app`) with the Gradio page mounted at `/`.

`routes/` the HTTP routes (`/api`, admin, the OpenAI-compatible `/v1`), `models/` their pydantic
request and response bodies, `ui/` the page (layout, handlers, render); `guard` the limits every
request passes, `lanes` the lane for long conversations, `deps` what a route reaches from a request.
"""

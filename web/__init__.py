"""The web edge: a FastAPI app (`create_app`) with the Gradio page mounted at `/`."""

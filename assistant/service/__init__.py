"""The service: the loaded engine, history, the assistant (ask / search / browse), the library, feedback."""

"""The serving edge: the CLI, the JSON API, the Gradio web app and their guards, over the answering core in bot/."""

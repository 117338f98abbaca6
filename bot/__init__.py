"""Answer questions from the index: retrieve, compose, cite."""

"""Measure answer quality on a gold question set, against a plain LangChain baseline."""

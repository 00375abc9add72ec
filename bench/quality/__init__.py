"""Quality measurements: stages and modes scored against labelled data."""

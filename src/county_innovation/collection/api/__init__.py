"""Collection over HTTP: data (values read, saved and imported) and rounds (rounds and submission steps)."""

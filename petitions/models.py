"""Models of the petitions app."""

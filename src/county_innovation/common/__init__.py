"""Pieces shared by every app: domain errors, and helpers written once rather than copied per app."""

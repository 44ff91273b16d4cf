"""The JSON API: units, measures, observations and assessments, with token authentication."""

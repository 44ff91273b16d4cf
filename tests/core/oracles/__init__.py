"""Test oracles: slow, plain re-derivations of the reference packages pmf is checked against."""

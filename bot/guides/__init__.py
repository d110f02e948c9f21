"""Guided checks: the route finder and the local help finder, as small state machines."""

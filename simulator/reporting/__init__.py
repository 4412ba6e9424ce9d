"""Logging: the package emits structured events; this package renders them for people and machines."""

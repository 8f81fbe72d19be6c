"""Tests of the income library (pathways.income)."""

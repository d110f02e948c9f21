"""Multilingual advisory assistant for skilled workers and trainees moving to Sachsen-Anhalt."""

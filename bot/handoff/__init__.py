"""Escalation to human advisors: office hours, case cards, the rules of the advisors desk."""

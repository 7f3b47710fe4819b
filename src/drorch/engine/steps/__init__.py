"""Action steps in waves: what is due (phases.py, due.py, undo.py: pure) and the calls (run.py)."""

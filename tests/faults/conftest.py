"""Fault-injection tests: real mosquitto, real hub processes, real SQLite.

Tests marked ``slow`` are the long versions (50 kills, a month of traffic …): they run with
``pytest -m slow tests/faults``; a plain run (the project's
default ``-m 'not slow'``) leaves them out and runs the quick versions.
"""

"""Protocol fuzzing: the codec alone, and the real hub behind the real broker.

Tests marked ``slow`` are the long versions (100,000 payloads through the hub): they run with
``pytest -m slow tests/fuzz``; a plain run (the project's
default ``-m 'not slow'``) leaves them out and runs the quick versions.
"""

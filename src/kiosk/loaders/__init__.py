"""The I/O boundary for the hall's data files: the service catalogue and the calendar, read and validated
once into the frozen values of ``kiosk.core`` (every role uses them; they import only the core)."""

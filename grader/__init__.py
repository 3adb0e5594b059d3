"""The course's nbgrader pipeline: release student notebooks and autograde solutions and submissions."""

"""Shared helpers for the lessons: setup, checks, data, plots and widgets.

Nothing here answers a graded exercise: the lessons import it, and so do students.
"""

from course_utils.lesson import LessonContext, needs, start_lesson

__version__ = "0.1.0"

#: Where the course lives on GitHub; the Colab badges and the Colab install point here.
REPOSITORY = "pixels-to-cnns/pixels-to-cnns"

__all__ = ["REPOSITORY", "LessonContext", "__version__", "needs", "start_lesson"]

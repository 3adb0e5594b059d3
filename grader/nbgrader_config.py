"""nbgrader configuration of the course, copied into every grading workspace.

A workspace is an nbgrader course directory: ``source/<lesson>/`` holds the instructor notebooks
(our ``solutions/``), ``release/<lesson>/`` the student notebooks (our ``notebooks/``),
``submitted/<student>/<lesson>/`` what students hand in, and ``gradebook.db`` the SQLite gradebook.
"""

c = get_config()  # noqa: F821 - injected by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "pixels-to-cnns"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store"]

# What students see in place of a solution region.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Per-cell time limit while autograding; the lessons' slowest cells take a few seconds.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True

# Deleted or re-typed test cells come back from the gradebook: a student cannot skip a test by removing it.
c.OverwriteCells.add_missing_cells = True

"""Run a student's code in a sandbox and call it from the grader with plain data only.

``client.Sandbox`` (grader side) starts ``agent`` (student side) through ``launch`` (namespaces, a
read-only allow-listed root, no network, an unprivileged user, a memory limit) when run as root, or as
a plain subprocess with a memory limit otherwise.
"""

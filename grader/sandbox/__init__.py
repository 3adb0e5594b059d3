"""Run a student's code in a sandbox and call it from the grader with plain data only.

``client.Sandbox`` (grader side) starts ``agent`` (student side) in bubblewrap (``launch``) inside a cgroup of
its own (``cgroups``); ``isolation`` finds out what this machine can do and refuses when it cannot isolate.
"""

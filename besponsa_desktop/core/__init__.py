"""The dosing core: pure rules, no Qt, no files, no printing.

``make_plan(data)`` validates a request and returns a Plan; bad input raises
``InvalidRequest`` whose problems each name a field.
"""

"""The nurses' printout: a Plan rendered to PDF with reportlab platypus.

Only ``document`` and the modules it loads import reportlab (slow to import), so the window
can import ``printing.options`` cheaply and load the rest when the user prints. Nothing here
computes a clinical number: every dose, date and limit printed comes from the Plan or from
the core's named constants.
"""

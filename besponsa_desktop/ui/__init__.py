"""The PySide6 window. It talks to the controller only, never to the core directly."""

"""Web user interface: Jinja templates with HTMX, Arabic first, right-to-left."""

"""Web pages, one module per screen."""

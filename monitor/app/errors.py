"""The application's own errors, light to import (a face catches them before loading anything else)."""


class NotFound(Exception):
    """Something asked for does not exist (vendor, document, version); the message is one line."""

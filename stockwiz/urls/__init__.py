"""One URLconf per role; ``settings.ROOT_URLCONF`` picks the process's own."""

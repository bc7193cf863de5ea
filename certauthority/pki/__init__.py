"""CertDesk's cryptographic core: pure functions over ``cryptography`` objects.

Nothing in this package imports Django (see ../shared/STYLE.md). PEM/DER conversion
happens only at the edges: views, API, command line and key storage.
"""

"""The CertDesk Django project.

The Celery app (config.celery) is not imported here: a ``manage.py pki …`` run would pay
about 0.2 s for it (issue 10 item 19). ``celery -A config`` finds ``config.celery`` by
itself, and every module that defines tasks imports it first, so ``@shared_task`` binds
to the CertDesk app in the web, the worker and the tests alike.
"""

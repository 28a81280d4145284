"""The benchmark: our pages against the Django admin, on generated national data.

`make bench` runs `python -m bench` against PostgreSQL after `manage.py generate_load`. It is
not part of the test suite: it measures, it does not assert. Every figure it prints is
measured in the same run on the same database, the admin's included, so the comparison holds
on a noisy machine.

- `harness`: the instruments: the in-process client, a gunicorn server, wrk, memory;
- `scenarios`: what is measured, with which URLs, and the performance targets;
- `__main__`: the command line, the checks before a run, the table and the JSON.
"""

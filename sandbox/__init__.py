"""The embedded sandbox: stateful simulators of the external APIs over real HTTP.

Pure standard library, no Django: it runs as its own process
(`manage.py sandbox` or `python -m sandbox`).
"""

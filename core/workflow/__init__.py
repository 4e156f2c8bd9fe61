"""The approval workflow engine and the unified inbox.

- :mod:`.definitions`: what a plugin declares (``register_workflows``), and the planner that
  chooses a chain and explains it;
- :mod:`.models`: the ``workflow_*`` tables;
- :mod:`.engine`: submit, approve, reject, return, resubmit, withdraw, transfer, CC, urge,
  and the periodic job for reminders, escalation and deactivated approvers;
- :mod:`.views`: a request's page and action panel, and the inbox.

Plugins use all of it through :mod:`core.api`.
"""

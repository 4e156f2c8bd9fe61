"""The approval workflow engine and the unified inbox.

What a plugin declares, and the words of the contract:

- :mod:`.definitions`: the frozen dataclasses of ``register_workflows`` and the event, and the
  planner that chooses a chain and explains it;
- :mod:`.states`: request, step and assignment states and event actions, as ``StrEnum``;
- :mod:`.checks`: a source check that plugins compare with those enums, not with strings.

The engine, one concern per module, each reading only those above it:

- :mod:`.models`: the ``workflow_*`` tables;
- :mod:`.messages`: refusals (:class:`~.messages.WorkflowError`) and the labels shown;
- :mod:`.registry`: the definitions of the loaded plugins, and loading a request's subject;
- :mod:`.queries`: a subject's request, who may see and decide it, the inbox's lists;
- :mod:`.approvers`: who decides a step, with fallbacks for an empty chair;
- :mod:`.transitions`: claim, timeline, notify, tell the plugin, open and close steps;
- :mod:`.actions`: submit, approve, reject, return, resubmit, withdraw, transfer, CC, urge;
- :mod:`.due`: the periodic job for reminders, escalation and deactivated approvers.

Pages: :mod:`.forms`, :mod:`.panel` (the action panel), :mod:`.views` (``workflow``
blueprint) and :mod:`.inbox` (``inbox`` blueprint). Plugins use all of it through
:mod:`core.api`.
"""

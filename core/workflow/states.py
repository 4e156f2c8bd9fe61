"""The words of the engine: the states a request, a step and an assignment go through, and what
a :class:`~core.workflow.definitions.WorkflowEvent` says happened.

They are :class:`enum.StrEnum` members, so each *is* the string stored in the tables (no
migration, ``RequestState.APPROVED == "approved"``) while a misspelt member
(``RequestState.APROVED``) is an :class:`AttributeError` the first time the line runs, in a
test. Plugins compare with these members and never with string literals; a check over each
bundled plugin's source keeps it so (:mod:`.checks`).
"""

from __future__ import annotations

from enum import StrEnum


class RequestState(StrEnum):
    """Where a request (a :class:`~core.workflow.models.WorkflowInstance`) stands."""

    #: Waiting for the decision of its open step.
    PENDING = "pending"
    #: Sent back to the applicant, who may revise and resubmit it.
    RETURNED = "returned"
    #: Every step of the chain approved it: final.
    APPROVED = "approved"
    #: An approver rejected it: final.
    REJECTED = "rejected"
    #: The applicant took it back before the decision: final.
    WITHDRAWN = "withdrawn"

    @property
    def is_final(self) -> bool:
        """Decided for good: approved, rejected or withdrawn."""
        return self in FINAL_STATES

    @property
    def is_open(self) -> bool:
        """Still moving: pending, or returned for revision."""
        return self in OPEN_STATES


#: Requests still moving, and requests decided for good.
OPEN_STATES = frozenset({RequestState.PENDING, RequestState.RETURNED})
FINAL_STATES = frozenset({RequestState.APPROVED, RequestState.REJECTED, RequestState.WITHDRAWN})


class StepState(StrEnum):
    """Where one step of a request's chain stands."""

    #: A later step of the round; not yet open.
    WAITING = "waiting"
    #: Waiting for its approvers' decision.
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    #: Not needed any more (the request was rejected, returned or withdrawn before it).
    CANCELLED = "cancelled"


class AssignmentState(StrEnum):
    """What one person asked to decide a step has done."""

    #: Their decision is awaited.
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    #: Not needed any more: someone else decided the step, or the round ended.
    CANCELLED = "cancelled"
    #: They handed their part to someone else (transfer or reassignment).
    TRANSFERRED = "transferred"


class EventAction(StrEnum):
    """What happened, as :attr:`WorkflowEvent.action` tells the owning plugin."""

    SUBMITTED = "submitted"
    #: One step was approved and the chain moves on; the request is still pending.
    STEP_APPROVED = "step_approved"
    #: The last step was approved: the request is approved.
    APPROVED = "approved"
    REJECTED = "rejected"
    #: Returned to the applicant for revision.
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    WITHDRAWN = "withdrawn"
    #: An approver handed their part on, or an administrator reassigned the step.
    TRANSFERRED = "transferred"
    #: People were copied in.
    CC = "cc"
    #: The applicant reminded the approvers.
    URGED = "urged"
    #: The step was overdue and went to the escalation role (or the administrators).
    ESCALATED = "escalated"
    #: Nobody (active) held a step's role: it went to a fallback approver.
    FALLBACK = "fallback"


class TimelineAction(StrEnum):
    """One entry of a request's timeline (:class:`~core.workflow.models.WorkflowAction`)."""

    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"
    TRANSFER = "transfer"
    REASSIGN = "reassign"
    CC = "cc"
    URGE = "urge"
    REMIND = "remind"
    ESCALATE = "escalate"
    FALLBACK = "fallback"
    ACKNOWLEDGE = "acknowledge"


#: What each timeline action tells the plugin (``approve`` is ``step_approved`` or
#: ``approved``, decided by the request's state; ``remind`` and ``acknowledge`` tell nothing).
EVENT_OF = {
    TimelineAction.SUBMIT: EventAction.SUBMITTED,
    TimelineAction.REJECT: EventAction.REJECTED,
    TimelineAction.RETURN: EventAction.RETURNED,
    TimelineAction.RESUBMIT: EventAction.RESUBMITTED,
    TimelineAction.WITHDRAW: EventAction.WITHDRAWN,
    TimelineAction.TRANSFER: EventAction.TRANSFERRED,
    TimelineAction.REASSIGN: EventAction.TRANSFERRED,
    TimelineAction.CC: EventAction.CC,
    TimelineAction.URGE: EventAction.URGED,
    TimelineAction.ESCALATE: EventAction.ESCALATED,
    TimelineAction.FALLBACK: EventAction.FALLBACK,
}

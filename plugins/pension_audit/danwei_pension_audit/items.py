"""The twelve items of 篇五, as the pages and the report name them."""

from .i18n import lazy_gettext as _l

#: The twelve items of 篇五, short.
ITEM_TITLES = {
    1: _l("Pension bank cards or passbooks issued on time; entries accurate, complete, true"),
    2: _l("Contribution income records equal the amounts actually received"),
    3: _l("Contributions entered promptly; personal accounts opened for fully paid members"),
    4: _l("Lump-sum back-payments computed correctly"),
    5: _l("Fiscal and village-cadre subsidies credited after the member's contribution, from "
          "the following month"),
    6: _l("Personal accounts earn interest yearly at the one-year deposit rate"),
    7: _l("Accounts of members who stopped paying are sealed and earn interest monthly"),
    8: _l("Benefits, transfers and withdrawals: paperwork complete, eligibility met, amounts "
          "correct"),
    9: _l("Fund held in the special fiscal account; income and expenditure kept apart"),
    10: _l("No misappropriation, diversion or early withdrawal of the fund"),
    11: _l("Banks deduct fully and on time; receipts and payments booked promptly; books "
           "accurate"),
    12: _l("Pension calculation correct; payments on time and in full; operating funds lawful"),
}
